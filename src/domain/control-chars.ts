// Characters that change how text is shown rather than what it says: C0 controls (ESC starts a
// terminal escape sequence, a lone CR returns to the start of the line and overwrites it), DEL,
// C1 controls, and the bidirectional marks, embeddings, overrides and isolates that can make
// text read differently from what it holds. Tab and line breaks are ordinary text in free text.

const BIDI = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069';
const LINE_SEPARATORS = '\u2028\u2029';

/** Never allowed in a name, a line break or tab included: a name is one line. */
const IN_NAME = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI}${LINE_SEPARATORS}]`, 'u');
/** Removed from free text: every control except tab and line feed. */
const IN_TEXT = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI}]`, 'gu');

const NAMES: Record<number, string> = {
  0x00: 'null',
  0x07: 'bell',
  0x08: 'backspace',
  0x09: 'tab',
  0x0a: 'line break',
  0x0d: 'carriage return',
  0x1b: 'escape',
  0x7f: 'delete',
  0x061c: 'Arabic letter mark',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
};

export interface ControlChar {
  /** 1-based position in the text, counted in characters as a person counts them. */
  position: number;
  /** `U+001B (escape)`. */
  described: string;
}

/** The first character a name may not hold, if any. */
export function firstControlInName(text: string): ControlChar | undefined {
  const match = IN_NAME.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return { position: [...text.slice(0, match.index)].length + 1, described: NAMES[code] ? `${hex} (${NAMES[code]})` : `${hex} (a control character)` };
}

/** Free text as it is stored: CRLF and the Unicode line separators become LF; other controls are removed. */
export function stripControls(text: string): string {
  return text.replace(/\r\n|[\u2028\u2029]/g, '\n').replace(IN_TEXT, '');
}
