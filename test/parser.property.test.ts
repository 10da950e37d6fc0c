import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from '../src/app/language/parser.js';
import type { ParseResult } from '../src/app/language/commands.js';
import { COMMANDS, OPTION_NAMES } from '../src/app/language/usage.js';
import { isFreeText, sanitizeRequest } from '../src/app/language/sanitize.js';
import { UserError } from '../src/app/request.js';

// Either shape, exactly: a command (with an optional release) or a failure with a message.
function wellFormed(result: ParseResult): boolean {
  if (result.ok) {
    const keys = Object.keys(result.value);
    return (
      typeof result.value.command?.name === 'string' &&
      keys.every((key) => key === 'command' || key === 'release') &&
      (result.value.release === undefined || /^[a-z0-9][a-z0-9-]{0,62}$/.test(result.value.release)) &&
      Object.values(result.value.command).every((value) => value !== undefined)
    );
  }
  const { message, usage, suggestion } = result.error;
  return (
    typeof message === 'string' &&
    message.length > 0 &&
    // The parser's last-resort answer to a bug of its own: no input may reach it.
    message !== 'That command could not be read.' &&
    (usage === undefined || typeof usage === 'string') &&
    (suggestion === undefined || typeof suggestion === 'string') &&
    Object.keys(result).length === 2
  );
}

function check(line: string): void {
  let result: ParseResult | undefined;
  expect(() => {
    result = parse(line);
  }).not.toThrow();
  expect(wellFormed(result!), JSON.stringify({ line, result })).toBe(true);
}

const words = [
  ...new Set(COMMANDS.flatMap((entry) => entry.words)),
  'members',
  'for',
  'met',
  'not-met',
  'need-info',
  'notmet',
  'not',
  'need',
  'info',
  'agree',
  'disagree',
  'go',
  'no-go',
  'no',
  'on',
  'off',
  'yes',
  'closed',
  'open',
  'jsonl',
  'csv',
  'sev1=0',
  's2=3',
  '5=1',
  'sev9=1',
  '2019-11-29',
  '2019-02-30',
  '18:00',
  'Europe/London',
  'UTC',
  'R1',
  '#2',
  '3',
  '0',
  '-1',
  'code-ready',
  'OPSG',
  'alice',
  '@bob',
  '/release',
  'https://ci.example/1',
];
// The neutral forms, and Slack's markup, which the grammar no longer knows: refused, never a crash.
const mentions = [
  '@slack:U123ABC',
  '@@slack:S1',
  '@teams:29:1a_b',
  '@@',
  '@hook:x',
  '@channel',
  '@slack:',
  '<@U123ABC>',
  '<@U123|alice>',
  '<!subteam^S0123|@ops>',
  '<!subteam^S9>',
  '<!here>',
  '<#C1|general>',
  '<https://x.example|doc>',
  '<@',
  '<@U1|a b>',
];
const quoted = fc
  .tuple(fc.constantFrom('"', "'", '“', '”', '‘', '„'), fc.string({ maxLength: 12 }), fc.constantFrom('"', "'", '”', '’', '“', ''))
  .map(([open, body, close]) => `${open}${body}${close}`);
const option = fc
  .tuple(fc.constantFrom(...OPTION_NAMES, 'bogus', '', 'Public'), fc.constantFrom('--', '—', '–'), fc.boolean(), fc.string({ maxLength: 8 }))
  .map(([name, dashes, inline, value]) => (inline ? `${dashes}${name}=${value}` : `${dashes}${name}`));
const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...words) },
  { weight: 2, arbitrary: fc.constantFrom(...mentions) },
  { weight: 2, arbitrary: quoted },
  { weight: 3, arbitrary: option },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constant('\\') },
);
const commandLine = fc
  .tuple(fc.constantFrom('', '/release ', '/Release  '), fc.constantFrom(...words), fc.array(token, { maxLength: 10 }), fc.constantFrom(' ', '  ', '\t', '\u00a0'))
  .map(([prefix, head, rest, gap]) => `${prefix}${[head, ...rest].join(gap)}`);

describe('parse never throws and always answers in one of the two shapes', () => {
  it('for any string', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 2000 });
  });

  it('for any string of graphemes', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), check), { numRuns: 1000 });
  });

  it('for any string of code units, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), check), { numRuns: 1000 });
  });

  it('for lines built from command words, quotes, mentions and options', () => {
    fc.assert(fc.property(commandLine, check), { numRuns: 5000 });
  });

  it('for a command word followed by arbitrary text', () => {
    fc.assert(
      fc.property(fc.constantFrom(...words), fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), (head, tail) => check(`${head} ${tail}`)),
      { numRuns: 2000 },
    );
  });

  it('for very long lines', () => {
    check(`risk add "${'x'.repeat(20_000)}"`);
    check('<'.repeat(9_000));
    check(`status ${'< '.repeat(4_000)}>`);
    check(`help ${'"a" '.repeat(2_000)}`);
    check(`confirm 3 not-met "${'\\"'.repeat(4_000)}`);
  });
});

describe('what parses once parses the same way again', () => {
  it('is deterministic', () => {
    fc.assert(
      fc.property(commandLine, (line) => {
        expect(parse(line)).toEqual(parse(line));
      }),
      { numRuns: 500 },
    );
  });
});

// C0 but tab and newline, DEL, C1 and the bidi controls: what no stored or shown text may hold.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const controls = ['\u001b[2J', '\u001b', '\r', '\r\n', '\n', '\t', '\u0000', '\u0007', '\u007f', '\u0085', '\u009b', '\u202e', '\u2066', '\u200f', '\u061c', '\u2028'];

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

describe('no control character survives into a command', () => {
  // Control characters dropped anywhere into lines that mostly parse.
  const anywhere = fc
    .tuple(commandLine, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...controls)), { minLength: 1, maxLength: 4 }))
    .map(([line, inserts]) => inserts.reduce((text, [at, c]) => text.slice(0, at % (text.length + 1)) + c + text.slice(at % (text.length + 1)), line));
  // Lines that parse, with the control character inside a name or a piece of free text.
  const slots = [
    'create "X" 2019-11-29',
    'facts phase "X" closed',
    'confirm 1 not-met "X"',
    'signoff opsg agree "X"',
    'risk add "X"',
    'risk mitigate 1 "X"',
    'risk view 1 tag "X"',
    'risk accept 1 --conditions "X"',
    'switch add K "X" --expect off',
    'switch K on --source "X"',
    'facts environment "X"',
    'date 2019-12-02 "X"',
    'decide no-go "X"',
    'confirm 1 met --comment "X"',
  ];
  const inSlot = fc
    .tuple(fc.constantFrom(...slots), fc.constantFrom('', 'a', 'Nov 2019 '), fc.constantFrom(...controls), fc.constantFrom('', 'b', ' end'))
    .map(([slot, before, c, after]) => slot.replace('X', before + c + after));
  const spiked = fc.oneof(anywhere, inSlot);

  it('is refused with a clear message, or cleaned, whichever field it lands in', () => {
    let refused = 0;
    let cleaned = 0;
    fc.assert(
      fc.property(spiked, (line) => {
        const result = parse(line);
        if (!result.ok) return;
        const request = {
          actor: { id: 'console:rita' as const, platform: 'console' as const },
          command: result.value.command,
          ...(result.value.release && { release: result.value.release }),
          text: line,
        };
        let safe: ReturnType<typeof sanitizeRequest>;
        try {
          safe = sanitizeRequest(request);
        } catch (error) {
          expect(error).toBeInstanceOf(UserError);
          expect((error as Error).message).toMatch(/holds (U\+[0-9A-F]{4} \(.+\) at character \d+|nothing but control characters)/);
          refused++;
          return;
        }
        cleaned++;
        for (const text of [...stringsIn(safe.command), safe.text, safe.release ?? '']) expect(text, JSON.stringify({ line, text })).not.toMatch(CONTROL);
        // A name passes exactly as it was, and on one line; only free text is changed.
        for (const [field, value] of Object.entries(result.value.command)) {
          if (field === 'name' || isFreeText(result.value.command, field)) continue;
          expect((safe.command as Record<string, unknown>)[field]).toEqual(value);
          for (const text of stringsIn(value)) expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        }
      }),
      { numRuns: 3000 },
    );
    expect(refused).toBeGreaterThan(0);
    expect(cleaned).toBeGreaterThan(0);
  });
});
