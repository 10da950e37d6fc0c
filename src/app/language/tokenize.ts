// Splits a `/release …` line into words and options. Knows nothing of the commands themselves,
// nor of any platform's markup: each adapter turns its mentions and links into the neutral form
// (`@slack:U123`, `@@slack:S1`, a bare https:// link) before the line gets here.

/** A positional word. `quoted` words are free text: never a sub-command word. */
export interface Word {
  kind: 'word';
  text: string;
  quoted: boolean;
}

/** `--name`, `--name value` (the value is the next token, taken by the parser) or `--name=value`. */
export interface OptionToken {
  kind: 'option';
  /** Lower-cased, without the dashes. */
  name: string;
  /** Present only for `--name=value`. */
  value?: string;
  /** As typed, for messages. */
  raw: string;
}

export type Token = Word | OptionToken;

export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; message: string };

// Phones and Slack clients turn straight quotes into typographic ones, sometimes mismatched
// (“…“ or „…“), so each opening quote lists every character that may close it.
const CLOSERS: Record<string, string> = {
  '"': '"',
  '“': '”“"',
  '”': '”',
  '„': '“”',
  "'": "'",
  '‘': '’',
};
const ANY_QUOTE = '"“”„\'‘’';

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

class Unterminated {
  constructor(readonly message: string) {}
}

export function tokenize(line: string): TokenizeResult {
  const tokens: Token[] = [];
  const n = line.length;

  // One word starting at `i`: a quoted string, or everything up to the next space.
  const segment = (i: number): { text: string; quoted: boolean; end: number } => {
    const open = line[i];
    const closers = open === undefined ? undefined : CLOSERS[open];
    if (closers !== undefined) {
      let text = '';
      let j = i + 1;
      while (j < n) {
        const c = line[j]!;
        const next = line[j + 1];
        if (c === '\\' && next !== undefined && (ANY_QUOTE.includes(next) || next === '\\')) {
          text += next;
          j += 2;
          continue;
        }
        // A closing quote must end the word, so the apostrophe in 'it's done' is not taken for one.
        if (closers.includes(c) && (next === undefined || isSpace(next))) return { text, quoted: true, end: j + 1 };
        text += c;
        j++;
      }
      const preview = line.slice(i, i + 24) + (n - i > 24 ? '…' : '');
      const closerSeen = [...line.slice(i + 1)].some((c) => closers.includes(c));
      throw new Unterminated(`Unterminated quote: the ${open} that starts ${preview} is never closed${closerSeen ? ' (a closing quote must be followed by a space or the end of the line).' : '.'}`);
    }
    let j = i;
    while (j < n && !isSpace(line[j])) j++;
    return { text: line.slice(i, j), quoted: false, end: j };
  };

  try {
    let i = 0;
    for (;;) {
      while (i < n && isSpace(line[i])) i++;
      if (i >= n) break;
      const dashes = optionPrefix(line, i);
      if (dashes === 0) {
        const word = segment(i);
        tokens.push({ kind: 'word', text: word.text, quoted: word.quoted });
        i = word.end;
        continue;
      }
      let j = i + dashes;
      while (j < n && !isSpace(line[j]) && line[j] !== '=') j++;
      const option: OptionToken = { kind: 'option', name: line.slice(i + dashes, j).toLowerCase(), raw: line.slice(i, j) };
      if (line[j] === '=') {
        const value = segment(j + 1);
        option.value = value.text;
        j = value.end;
      }
      tokens.push(option);
      i = j;
    }
  } catch (error) {
    if (error instanceof Unterminated) return { ok: false, message: error.message };
    throw error;
  }
  return { ok: true, tokens };
}

// `--name`, or `—name` / `–name` because phones turn a typed `--` into a dash.
function optionPrefix(line: string, i: number): number {
  if (line.startsWith('--', i)) return 2;
  const c = line[i];
  if ((c === '—' || c === '–') && /[A-Za-z]/.test(line[i + 1] ?? '')) return 1;
  return 0;
}
