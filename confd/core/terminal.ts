/**
 * @module confd/core/terminal
 * Text for a terminal: every character that a terminal would act on instead of showing is
 * written as a visible escape, as Junos does for non-printable characters. That is C0 controls
 * but TAB and LF (so ESC, BEL, CR, backspace), DEL, C1 controls (U+0080–U+009F, which some
 * terminals take as CSI and OSC), and the bidirectional overrides and isolates that reorder
 * what is shown (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069). Pure, no Node APIs.
 */

const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** `\uXXXX`: readable, and the same character again when the text is JSON (printJson's output stays valid). */
function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every character a terminal would act on written as a visible escape (TAB and LF kept). */
export function escapeTerminal(text: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text) ? text.replace(UNSAFE, visible) : text;
}
