/**
 * @module confd/main/log-ring
 * The daemon's last log records, kept in memory for `show log messages` (the log itself goes
 * to stderr or a file). A pino destination: each write is one JSON line.
 */
import type { JsonObject } from '../core/tree.js';

export class LogRing {
  private readonly lines: JsonObject[] = [];

  constructor(private readonly size = 1000) {}

  write(line: string): void {
    try {
      this.lines.push(JSON.parse(line) as JsonObject);
    } catch {
      return;
    }
    if (this.lines.length > this.size) this.lines.splice(0, this.lines.length - this.size);
  }

  recent(): readonly JsonObject[] {
    return this.lines;
  }
}
