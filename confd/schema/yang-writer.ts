/**
 * @module confd/schema/yang-writer
 * Writes YANG statements with their quoting (RFC 7950 §6.1.3): arguments double-quoted with
 * `\\` and `"` escaped, patterns single-quoted (their backslashes are regular-expression
 * escapes, which a double-quoted YANG 1.1 string would refuse). Pure text, no schema knowledge.
 */

const INDENT = '  ';

export class YangWriter {
  private readonly lines: string[] = [];

  /** `depth`: the indentation level the first statement is written at. */
  constructor(private depth = 0) {}

  /** `keyword arg;` — or `keyword;` when arg is undefined. */
  stmt(keyword: string, arg?: string): this {
    this.lines.push(`${INDENT.repeat(this.depth)}${keyword}${arg === undefined ? '' : ` ${arg}`};`);
    return this;
  }

  /** `keyword arg {`, closed by end(). */
  open(keyword: string, arg?: string): this {
    this.lines.push(`${INDENT.repeat(this.depth)}${keyword}${arg === undefined ? '' : ` ${arg}`} {`);
    this.depth++;
    return this;
  }

  end(): this {
    this.depth--;
    this.lines.push(`${INDENT.repeat(this.depth)}}`);
    return this;
  }

  blank(): this {
    this.lines.push('');
    return this;
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** A double-quoted YANG string. */
export function quoted(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n').replaceAll('\t', '\\t')}"`;
}

/** A single-quoted YANG string (no escapes inside): for patterns. */
export function singleQuoted(text: string): string {
  if (text.includes("'")) throw new Error(`cannot single-quote a string holding ': ${text}`);
  return `'${text}'`;
}
