/**
 * @module confd/syslog/audit-forwarding
 * Keeps the forwarder in step with the running configuration (/system/syslog/remote, and
 * /system/hostname for the messages' HOSTNAME) and feeds it every durable batch of audit
 * records. A commit participant that only listens: it never vetoes or delays a commit.
 */
import { hostname as osHostname } from 'node:os';
import type { Logger } from 'pino';
import { isPathWithin } from '../core/path.js';
import { isObject } from '../core/tree.js';
import type { AuditRecord } from '../store/audit-chain.js';
import type { ConfigEngine } from '../txn/engine.js';
import type { CommitEvent, Participant } from '../txn/participant.js';
import { SyslogForwarder, type ForwarderOptions, type RemoteSpec } from './forwarder.js';
import { SEVERITIES, type SeverityName } from './rfc5424.js';

const REMOTE_LIST = '/system/syslog/remote';

export class AuditForwarding implements Participant {
  readonly name = 'syslog';
  readonly forwarder: SyslogForwarder;

  constructor(private readonly engine: ConfigEngine, log: Logger, options: Partial<ForwarderOptions> = {}) {
    this.forwarder = new SyslogForwarder({ log, context: () => ({ hostname: this.hostname(), procid: process.pid }), ...options });
    this.forwarder.configure(this.remotes());
  }

  committed(event: CommitEvent): void {
    if (event.leafChanges().some((c) => isPathWithin(c.path, '/system/syslog') || isPathWithin('/system/syslog', c.path))) {
      this.forwarder.configure(this.remotes());
    }
  }

  /** Hand a durable batch on (AuditAnchor.onRecords). */
  readonly records = (records: readonly AuditRecord[]): void => this.forwarder.send(records);

  private hostname(): string {
    const root = this.engine.running.get('/')?.body;
    const system = root && isObject(root.system) ? root.system : {};
    return typeof system.hostname === 'string' && system.hostname !== '' ? system.hostname : osHostname();
  }

  /** The configured collectors. */
  private remotes(): RemoteSpec[] {
    const list = this.engine.schema.lists.get(REMOTE_LIST);
    const out: RemoteSpec[] = [];
    for (const e of list ? this.engine.running.children('/', list) : []) {
      const b = e.body;
      const severity = SEVERITIES.includes(b.severity as SeverityName) ? b.severity as SeverityName : 'info';
      out.push({ host: String(b.host), port: typeof b.port === 'number' ? b.port : 514, protocol: b.protocol === 'tcp' ? 'tcp' : 'udp', severity });
    }
    return out;
  }

  close(): void {
    this.forwarder.close();
  }
}
