// The one grammar: a `/release …` line from any platform becomes a typed Command here, or a
// failure saying what was wrong and how to write it. Nothing is looked up: ids are only checked for shape.

import type { Parsed, ParseResult } from './commands.js';
import { tokenize, type Token, type Word } from './tokenize.js';
import { COMMAND_PREFIX, COMMAND_WORDS, GENERAL_USAGE, OPTION_NAMES, entriesOf, findEntry, subWordsOf, usageOf, type UsageEntry } from './usage.js';
import { suggest } from './suggest.js';
import { Args, dashed, fail, Failure, slug, type Given } from './parse-args.js';
import { BUILDERS } from './grammar.js';

// Far more than any real command; keeps a pasted novel from costing anything.
const MAX_LINE = 10_000;

const FLAGS = new Set(['public', 'allow-non-working-day']);
const PAIRS = new Set(['delegate']); // --delegate <user> for <user>
const REPEATABLE = new Set(['evidence', 'delegate']);

/** Reads one line. Never throws: every input gets a command or a failure to show the person. */
export function parse(line: string): ParseResult {
  try {
    return { ok: true, value: parseLine(line) };
  } catch (error) {
    if (error instanceof Failure) return { ok: false, error: error.error };
    // A bug in here must still reach the person as a reply, never crash the adapter.
    return { ok: false, error: { message: 'That command could not be read.', usage: GENERAL_USAGE } };
  }
}

function parseLine(line: string): Parsed {
  if (typeof line !== 'string') fail('There is no command to read.', GENERAL_USAGE);
  if (line.length > MAX_LINE) fail(`That command is too long: ${line.length} characters, at most ${MAX_LINE}.`);
  const tokenized = tokenize(line);
  if (!tokenized.ok) fail(tokenized.message);
  let tokens = tokenized.tokens;
  const first = tokens[0];
  if (first?.kind === 'word' && !first.quoted && first.text.toLowerCase() === COMMAND_PREFIX) tokens = tokens.slice(1);

  const head = tokens[0];
  if (head === undefined) return { command: { name: 'help' } };
  if (head.kind === 'option') fail(`Start with a command word, not "${head.raw}": for example ${COMMAND_PREFIX} status --release <id>.`, GENERAL_USAGE);
  // Phones capitalise the first word, so command words ignore case.
  const word = head.text.toLowerCase();
  if (!COMMAND_WORDS.includes(word)) fail(`Unknown command "${head.text}".`, GENERAL_USAGE, suggest(word, COMMAND_WORDS));

  const { words, given } = scan(tokens.slice(1));
  const unknown = given.find((option) => !OPTION_NAMES.includes(option.name));
  if (unknown) {
    const meant = subWordsOf(word).length === 0 ? findEntry(word) : findEntry(word, words[0]?.text.toLowerCase());
    const known = [...new Set(['release', ...(meant ? [meant] : entriesOf(word)).flatMap((entry) => entry.options)])];
    fail(`Unknown option "${unknown.raw}" for ${word}.`, meant?.usage ?? usageOf(word), dashed(suggest(unknown.name, known)));
  }
  const { entry, rest } = pickForm(word, words, given);
  const args = new Args(entry, rest, checkOptions(entry, given));
  const releaseText = args.option('release');
  const release = releaseText === undefined ? undefined : slug(args, releaseText, 'Release id');
  const build = BUILDERS[entry.words.join(' ')];
  if (build === undefined) fail('That command could not be read.', entry.usage);
  const command = build(args);
  return release === undefined ? { command } : { command, release };
}

// Which words are options' values depends only on the option, so this works before the
// sub-command is known, which lets `--release x` sit anywhere, even before `add`.
function scan(tokens: Token[]): { words: Word[]; given: Given[] } {
  const words: Word[] = [];
  const given: Given[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'word') {
      words.push(token);
      continue;
    }
    const option: Given = { name: token.name, raw: token.raw, values: [] };
    given.push(option);
    if (!OPTION_NAMES.includes(token.name)) continue;
    if (FLAGS.has(token.name)) {
      if (token.value !== undefined) option.problem = `The option "${token.raw}" takes no value.`;
      continue;
    }
    let value = token.value;
    const next = tokens[i + 1];
    if (value === undefined && next?.kind === 'word') {
      value = next.text;
      i++;
    }
    if (value === undefined || value.trim() === '') {
      option.problem = `The option "${token.raw}" needs a value.`;
      continue;
    }
    option.values.push(value);
    if (PAIRS.has(token.name)) {
      const keyword = tokens[i + 1];
      const principal = tokens[i + 2];
      if (keyword?.kind === 'word' && keyword.text.toLowerCase() === 'for' && principal?.kind === 'word') {
        option.values.push(principal.text);
        i += 2;
      } else {
        option.problem = `The option "${token.raw}" needs <user> for <user>, for example ${token.raw} @carol for @alice.`;
      }
    }
  }
  return { words, given };
}

function pickForm(word: string, words: Word[], given: Given[]): { entry: UsageEntry; rest: Word[] } {
  const subs = subWordsOf(word);
  const first = words[0];
  // A quoted word is never a sub-command, so a switch really called "add" can still be set.
  const sub = first !== undefined && !first.quoted ? first.text.toLowerCase() : undefined;
  if (sub !== undefined && subs.includes(sub)) return { entry: findEntry(word, sub)!, rest: words.slice(1) };
  const plain = findEntry(word);
  if (plain !== undefined) {
    // `switch ad KEY --expect off` is a mistyped `switch add`, not a switch called "ad".
    const near = sub === undefined ? undefined : suggest(sub, subs);
    const fitsPlain = words.length === 2 && given.every((option) => option.name === 'release' || plain.options.includes(option.name));
    if (near !== undefined && !fitsPlain) fail(`Unknown ${word} command "${first!.text}".`, usageOf(word), near);
    return { entry: plain, rest: words };
  }
  if (first === undefined) fail(`${word} needs one of: ${subs.join(', ')}.`, usageOf(word));
  fail(`Unknown ${word} command "${first.text}".`, usageOf(word), suggest(first.text, subs));
}

function checkOptions(entry: UsageEntry, given: Given[]): Map<string, Given[]> {
  const byName = new Map<string, Given[]>();
  const name = entry.words.join(' ');
  for (const option of given) {
    if (option.name !== 'release' && !entry.options.includes(option.name)) {
      const suggestion = suggest(option.name, [...entry.options, 'release']);
      fail(`${name} does not take the option "${option.raw}".`, entry.usage, dashed(suggestion));
    }
    if (option.problem !== undefined) fail(option.problem, entry.usage);
    const earlier = byName.get(option.name) ?? [];
    if (earlier.length > 0 && !REPEATABLE.has(option.name)) fail(`The option "${option.raw}" is given twice: give it once.`, entry.usage);
    byName.set(option.name, [...earlier, option]);
  }
  return byName;
}
