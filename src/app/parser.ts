// The one grammar: a `/release …` line from any platform becomes a typed Command here, or a
// failure saying what was wrong and how to write it. Nothing is looked up: ids are only checked for shape.

import type { Command, CriterionRef, Parsed, ParseFailure, ParseResult, Severity, UserRef } from './commands.js';
import { tokenize, type Token, type Word } from './tokenize.js';
import { COMMAND_PREFIX, COMMAND_WORDS, GENERAL_USAGE, OPTION_NAMES, entriesOf, findEntry, subWordsOf, usageOf, type UsageEntry } from './usage.js';
import { suggest } from './suggest.js';
import { HttpUrl, SLUG_PATTERN, UserId, isRealDate } from '../domain/primitives.js';

// Far more than any real command; keeps a pasted novel from costing anything.
const MAX_LINE = 10_000;

const FLAGS = new Set(['public']);
const PAIRS = new Set(['delegate']); // --delegate <user> for <user>
const REPEATABLE = new Set(['evidence', 'delegate']);

class Failure {
  constructor(readonly error: ParseFailure) {}
}

function fail(message: string, usage?: string, suggestion?: string): never {
  const error: ParseFailure = { message };
  if (usage !== undefined) error.usage = usage;
  if (suggestion !== undefined) error.suggestion = suggestion;
  throw new Failure(error);
}

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

/** An option as written, with the words it took. */
interface Given {
  name: string;
  raw: string;
  values: string[];
  /** Why it is malformed, reported once the command (and so its usage) is known. */
  problem?: string;
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

const dashed = (name: string | undefined): string | undefined => (name === undefined ? undefined : `--${name}`);

/** The words and options of one command, with failures that carry its usage. */
class Args {
  readonly name: string;
  constructor(
    readonly entry: UsageEntry,
    readonly words: Word[],
    private readonly options: Map<string, Given[]>,
  ) {
    this.name = entry.words.join(' ');
  }

  fail(message: string, suggestion?: string): never {
    return fail(message, this.entry.usage, suggestion);
  }

  need(index: number, what: string): Word {
    return this.words[index] ?? this.fail(`${this.name} needs ${what}.`);
  }

  /** No words past the first `count`. When the last expected one is free text, say to quote it. */
  end(count: number, freeText?: string): void {
    const extra = this.words[count];
    if (extra === undefined) return;
    const before = this.words[count - 1];
    if (freeText !== undefined && before !== undefined && !before.quoted) {
      this.fail(`Unexpected "${extra.text}" after "${before.text}": put the ${freeText} in quotes.`);
    }
    this.fail(`Unexpected extra "${extra.text}" in ${this.name}.`);
  }

  option(name: string): string | undefined {
    return this.options.get(name)?.[0]?.values[0];
  }

  all(name: string): string[][] {
    return (this.options.get(name) ?? []).map((option) => option.values);
  }

  flag(name: string): boolean {
    return this.options.has(name);
  }
}

// ---- values ----

function slug(a: Args, text: string, what: string): string {
  const value = text.toLowerCase();
  if (!SLUG_PATTERN.test(value)) {
    a.fail(`${what} "${text}" is not valid: use letters, digits and dashes (at most 63), starting with a letter or digit.`);
  }
  return value;
}

function date(a: Args, text: string, what: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) a.fail(`${what} "${text}" is not a date: write YYYY-MM-DD, for example 2019-11-29.`);
  if (!isRealDate(text)) a.fail(`${what} "${text}" is not a real calendar date.`);
  return text;
}

function time(a: Args, text: string): string {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) a.fail(`Time "${text}" is not valid: write HH:MM on the 24-hour clock, for example 09:30.`);
  return `${match[1]!.padStart(2, '0')}:${match[2]}`;
}

function zone(a: Args, text: string): string {
  if (text.toUpperCase() === 'UTC') return 'UTC';
  if (!/^[A-Za-z][A-Za-z_-]*(?:\/[A-Za-z0-9_+-]+)+$/.test(text)) {
    a.fail(`Time zone "${text}" is not valid: write Area/City, for example Europe/London, or UTC.`);
  }
  return text;
}

function count(a: Args, text: string, what: string): number {
  if (!/^\d{1,9}$/.test(text)) a.fail(`${what} must be a whole number, 0 or more, not "${text}".`);
  return Number(text);
}

function positive(a: Args, text: string, what: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) a.fail(`${what} must be a whole number, 1 or more, not "${text}".`);
  return Number(text);
}

/** A fixed set of words, case ignored, with synonyms; a typo gets the nearest canonical word. */
function choice<V>(a: Args, text: string, what: string, words: Record<string, V>, canonical: readonly string[]): V {
  const typed = text.toLowerCase();
  if (Object.hasOwn(words, typed)) return words[typed]!;
  const list = canonical.length > 1 ? `${canonical.slice(0, -1).join(', ')} or ${canonical.at(-1)}` : canonical.join('');
  return a.fail(`"${text}" is not ${what}: use ${list}.`, suggest(typed, canonical));
}

const ANSWERS = {
  met: 'met',
  'not-met': 'not-met',
  notmet: 'not-met',
  not_met: 'not-met',
  'need-info': 'need-info',
  needinfo: 'need-info',
  need_info: 'need-info',
} as const;
const ANSWER_WORDS = ['met', 'not-met', 'need-info'];
const ON_OFF = { on: 'on', off: 'off' } as const;

function optionalText(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
}

function requiredText(a: Args, word: Word, what: string): string {
  return optionalText(word.text) ?? a.fail(`The ${what} is empty.`);
}

const USER_MENTION = /^<@([^|>]*)(?:\|[^>]*)?>$/;
const GROUP_MENTION = /^<!subteam\^([^|>]*)(?:\|[^>]*)?>$/;

function user(a: Args, text: string): UserRef {
  const mention = USER_MENTION.exec(text);
  const group = mention ? null : GROUP_MENTION.exec(text);
  const id = mention?.[1] ?? group?.[1] ?? (text.startsWith('@') ? text.slice(1) : text);
  if ((text.startsWith('<') && !mention && !group) || !UserId.safeParse(id).success) {
    a.fail(`"${text}" is not a person: write @name, or mention them.`);
  }
  return group ? { kind: 'usergroup', id } : { kind: 'user', id };
}

// People may be listed with commas as well as spaces ("alice, bob"); a comma inside a mention's label is kept.
function users(a: Args, words: Word[], what: string): UserRef[] {
  const texts = words.flatMap((word) => word.text.split(/,(?![^<]*>)/)).filter((text) => text.trim() !== '');
  if (texts.length === 0) a.fail(`${a.name} needs ${what}.`);
  return texts.map((text) => user(a, text.trim()));
}

function criterion(a: Args, text: string): CriterionRef {
  const number = /^#?(\d+)$/.exec(text);
  if (number) {
    if (!/^[1-9]\d{0,3}$/.test(number[1]!)) a.fail(`"${text}" is not a criterion number: use 1 to 9999.`);
    return { number: Number(number[1]) };
  }
  const id = text.toLowerCase();
  if (!SLUG_PATTERN.test(id)) a.fail(`"${text}" is not a criterion: give its id (like code-ready) or its number (like 3).`);
  return { id };
}

function risk(a: Args, text: string): number {
  const match = /^(?:r|#)?([1-9]\d{0,8})$/i.exec(text);
  if (!match) a.fail(`"${text}" is not a risk number: write 1, R1 or #1.`);
  return Number(match[1]);
}

function url(a: Args, text: string): string {
  // Slack wraps links it recognises: <https://x> or <https://x|label>.
  const link = /^<([^|>]+)(?:\|[^>]*)?>$/.exec(text)?.[1] ?? text;
  if (!HttpUrl.safeParse(link).success) a.fail(`Evidence "${text}" is not an http:// or https:// link.`);
  return link;
}

function forUser(a: Args): UserRef | undefined {
  const text = a.option('for');
  return text === undefined ? undefined : user(a, text);
}

/** `not met`, `need info`, `no go` typed as two words count as one. */
function joinPair(a: Args, index: number, pairs: readonly string[]): void {
  const [first, second] = [a.words[index], a.words[index + 1]];
  if (first === undefined || second === undefined || first.quoted || second.quoted) return;
  const pair = `${first.text} ${second.text}`.toLowerCase();
  if (pairs.includes(pair)) a.words.splice(index, 2, { kind: 'word', text: pair.replace(' ', '-'), quoted: false });
}

function defined(command: Command): Command {
  return Object.fromEntries(Object.entries(command).filter(([, value]) => value !== undefined)) as Command;
}

// ---- commands, keyed by their words in the usage table ----

const BUILDERS: Record<string, (a: Args) => Command> = {
  help(a: Args) {
    a.end(2);
    const [first, second] = a.words;
    if (first === undefined) return { name: 'help' };
    const word = first.text.toLowerCase();
    if (!COMMAND_WORDS.includes(word)) a.fail(`There is no command "${first.text}".`, suggest(word, COMMAND_WORDS));
    if (second === undefined) return { name: 'help', topic: word };
    const subs = subWordsOf(word);
    const sub = second.text.toLowerCase();
    if (!subs.includes(sub)) {
      a.fail(subs.length > 0 ? `There is no ${word} command "${second.text}".` : `Unexpected extra "${second.text}" in help.`, suggest(sub, subs));
    }
    return { name: 'help', topic: `${word} ${sub}` };
  },

  create(a: Args) {
    const [name, , third] = a.words;
    if (third !== undefined && name !== undefined && !name.quoted) {
      const last = a.words.at(-1)!.text;
      const example = /^\d{4}-\d{2}-\d{2}$/.test(last)
        ? `${COMMAND_PREFIX} create "${a.words.slice(0, -1).map((w) => w.text).join(' ')}" ${last}`
        : `${COMMAND_PREFIX} create "November 2019 SEC Release" 2019-11-29`;
      a.fail(`Unexpected "${third.text}": put the release name in quotes, for example ${example}.`);
    }
    a.end(2);
    const title = requiredText(a, a.need(0, 'a release name in quotes and a date'), 'release name');
    const day = date(a, a.need(1, 'an implementation date written YYYY-MM-DD').text, 'Implementation date');
    const at = a.option('time');
    const tz = a.option('tz');
    const template = a.option('template');
    const id = a.option('id');
    return defined({
      name: 'create',
      title,
      date: day,
      time: at === undefined ? undefined : time(a, at),
      zone: tz === undefined ? undefined : zone(a, tz),
      template: template === undefined ? undefined : slug(a, template, 'Template id'),
      id: id === undefined ? undefined : slug(a, id, 'Release id'),
    });
  },

  list: (a: Args) => (a.end(0), { name: 'list' }),

  ask: (a: Args) => (a.end(0), { name: 'ask' }),

  status(a: Args) {
    a.end(1);
    const word = a.words[0];
    const release = word === undefined ? undefined : slug(a, word.text, 'Release id');
    const named = a.option('release')?.toLowerCase();
    if (release !== undefined && named !== undefined && named !== release) {
      a.fail(`Name the release once: "${word!.text}" and --release ${named} differ.`);
    }
    return defined({ name: 'status', release, public: a.flag('public') });
  },

  link(a: Args) {
    a.end(0);
    if (a.option('release') === undefined) a.fail('link needs --release <id>: the release this channel is for.');
    return { name: 'link' };
  },

  role(a: Args) {
    const role = a.need(0, 'a role name and at least one person').text;
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(role)) {
      a.fail(`Role "${role}" is not valid: use letters, digits, dashes and underscores (at most 64).`);
    }
    return { name: 'role', role, users: users(a, a.words.slice(1), 'at least one person') };
  },

  manager(a: Args) {
    const op = choice(a, a.need(0, 'add or remove, then the people').text, 'add or remove', { add: 'add', remove: 'remove' } as const, ['add', 'remove']);
    return { name: 'manager', op, users: users(a, a.words.slice(1), 'at least one person') };
  },

  delegate(a: Args) {
    a.end(3);
    const delegate = user(a, a.need(0, 'the delegate, "for", and the person they act for').text);
    const keyword = a.need(1, '"for" and the person the delegate acts for');
    if (keyword.text.toLowerCase() !== 'for') a.fail(`Write "for" between the two people, not "${keyword.text}".`, suggest(keyword.text, ['for']));
    return { name: 'delegate', delegate, for: user(a, a.need(2, 'the person the delegate acts for').text) };
  },

  owner(a: Args) {
    const ref = criterion(a, a.need(0, 'a criterion and at least one person').text);
    return { name: 'owner', criterion: ref, users: users(a, a.words.slice(1), 'at least one person') };
  },

  confirm(a: Args) {
    joinPair(a, 1, ['not met', 'need info']);
    const link = a.words.slice(2).find((word) => !word.quoted && /^<?https?:\/\//i.test(word.text));
    if (link !== undefined) a.fail(`Give links with --evidence, not as the comment: --evidence ${link.text}.`);
    a.end(3, 'comment');
    const ref = criterion(a, a.need(0, 'a criterion and an answer (met, not-met or need-info)').text);
    const answer = choice(a, a.need(1, 'an answer: met, not-met or need-info').text, 'an answer', ANSWERS, ANSWER_WORDS);
    const positional = a.words[2];
    const option = a.option('comment');
    if (positional !== undefined && option !== undefined) a.fail('Give the comment once: either in quotes or with --comment.');
    const comment = optionalText(positional?.text ?? option);
    if (comment === undefined && answer !== 'met') {
      a.fail(`A ${answer} answer needs a comment saying why, for example ${COMMAND_PREFIX} confirm ${a.words[0]!.text} ${answer} "waiting for the test report".`);
    }
    const evidence = a.all('evidence').map(([link]) => url(a, link!));
    return defined({ name: 'confirm', criterion: ref, answer, comment, evidence, for: forUser(a) });
  },

  group(a: Args) {
    const group = slug(a, a.need(0, 'a group id, "members" and the people in it').text, 'Group id');
    const keyword = a.need(1, '"members" and the people in the group');
    if (keyword.text.toLowerCase() !== 'members') {
      a.fail(`Expected "members" after the group id, not "${keyword.text}".`, suggest(keyword.text, ['members']));
    }
    const members = users(a, a.words.slice(2), 'at least one member after "members"');
    const quorum = a.option('quorum');
    const meeting = a.option('meeting');
    const delegates = a.all('delegate').map(([delegate, principal]) => ({ delegate: user(a, delegate!), for: user(a, principal!) }));
    return defined({
      name: 'group',
      group,
      members,
      quorum: quorum === undefined ? undefined : positive(a, quorum, 'The quorum'),
      meeting: meeting === undefined ? undefined : date(a, meeting, 'Meeting date'),
      delegates,
    });
  },

  signoff(a: Args) {
    a.end(3, 'note');
    const group = slug(a, a.need(0, 'a group id and agree or disagree').text, 'Group id');
    const verdict = choice(a, a.need(1, 'agree or disagree').text, 'a sign-off', { agree: 'agree', disagree: 'disagree' } as const, ['agree', 'disagree']);
    return defined({ name: 'signoff', group, verdict, note: optionalText(a.words[2]?.text), for: forUser(a) });
  },

  'risk add'(a: Args) {
    a.end(1, 'risk');
    const owner = a.option('owner');
    return defined({
      name: 'risk-add',
      text: requiredText(a, a.need(0, 'the risk, in quotes'), 'risk'),
      owner: owner === undefined ? undefined : user(a, owner),
    });
  },

  'risk mitigate'(a: Args) {
    a.end(2, 'mitigation');
    const number = risk(a, a.need(0, 'a risk number and the mitigation in quotes').text);
    return { name: 'risk-mitigate', risk: number, text: requiredText(a, a.need(1, 'the mitigation, in quotes'), 'mitigation') };
  },

  'risk view'(a: Args) {
    a.end(3, 'view');
    const number = risk(a, a.need(0, 'a risk number, a group id and the view in quotes').text);
    const group = slug(a, a.need(1, 'a group id and the view in quotes').text, 'Group id');
    return { name: 'risk-view', risk: number, group, text: requiredText(a, a.need(2, "the group's view, in quotes"), 'view') };
  },

  'risk accept'(a: Args) {
    a.end(1);
    const number = risk(a, a.need(0, 'a risk number').text);
    return defined({ name: 'risk-accept', risk: number, conditions: optionalText(a.option('conditions')) });
  },

  'risk close'(a: Args) {
    a.end(1);
    return { name: 'risk-close', risk: risk(a, a.need(0, 'a risk number').text) };
  },

  'switch add'(a: Args) {
    a.end(2, 'description');
    const key = switchKey(a, a.need(0, 'a switch key and --expect on|off').text);
    const expected = a.option('expect') ?? a.fail('switch add needs --expect on or --expect off: the state the switch must stay in.');
    const expect = choice(a, expected, 'a switch state', ON_OFF, ['on', 'off']);
    return defined({ name: 'switch-add', key, expect, description: optionalText(a.words[1]?.text) });
  },

  switch(a: Args) {
    a.end(2);
    const key = switchKey(a, a.need(0, 'a switch key and on or off').text);
    const state = choice(a, a.need(1, 'on or off after the switch key').text, 'a switch state', ON_OFF, ['on', 'off']);
    return defined({ name: 'switch-set', key, state, source: optionalText(a.option('source')) });
  },

  'facts defects'(a: Args) {
    const counts: Partial<Record<Severity, number>> = {};
    for (const word of a.words) {
      const match = /^(?:sev|s)?(\d+)=(.*)$/i.exec(word.text);
      if (!match) a.fail(`"${word.text}" is not a defect count: write sev1=0 sev2=3 and so on.`);
      const severity = Number(match[1]);
      if (!/^[1-5]$/.test(match[1]!)) a.fail(`Severity must be 1 to 5, not ${match[1]} in "${word.text}".`);
      if (counts[severity as Severity] !== undefined) a.fail(`Severity ${severity} is given twice.`);
      counts[severity as Severity] = count(a, match[2]!, `The severity ${severity} count`);
    }
    const plans = a.option('plans');
    if (a.words.length === 0 && plans === undefined) a.fail('facts defects needs at least one count, like sev1=0 sev2=0, or --plans yes|no.');
    return defined({
      name: 'facts-defects',
      counts,
      plans: plans === undefined ? undefined : choice(a, plans, 'a --plans answer', { yes: true, no: false }, ['yes', 'no']),
    });
  },

  'facts issues'(a: Args) {
    a.end(1);
    const issues = count(a, a.need(0, 'the number of testing issues and --threshold N').text, 'The number of issues');
    const threshold = a.option('threshold') ?? a.fail('facts issues needs --threshold N: the number of testing issues agreed as acceptable.');
    return { name: 'facts-issues', count: issues, threshold: count(a, threshold, 'The threshold') };
  },

  'facts phase'(a: Args) {
    const [name, , third] = a.words;
    const last = a.words.at(-1)?.text.toLowerCase();
    if (third !== undefined && name !== undefined && !name.quoted && (last === 'closed' || last === 'open')) {
      const phase = a.words.slice(0, -1).map((w) => w.text).join(' ');
      a.fail(`Unexpected "${a.words[1]!.text}": put the phase name in quotes, for example ${COMMAND_PREFIX} facts phase "${phase}" ${last}.`);
    }
    a.end(2);
    const phase = requiredText(a, a.need(0, 'a phase name and closed or open'), 'phase name');
    const state = choice(a, a.need(1, 'closed or open after the phase name').text, 'a phase state', { closed: 'closed', open: 'open' } as const, ['closed', 'open']);
    const exit = a.option('exit-criteria');
    const exitCriteria = { met: true, 'not-met': false, notmet: false, not_met: false };
    return defined({
      name: 'facts-phase',
      phase,
      state,
      exitCriteriaMet: exit === undefined ? undefined : choice(a, exit, 'an --exit-criteria answer', exitCriteria, ['met', 'not-met']),
    });
  },

  'facts environment'(a: Args) {
    a.end(1, 'note');
    return { name: 'facts-environment', note: requiredText(a, a.need(0, 'a note, in quotes'), 'note') };
  },

  date(a: Args) {
    a.end(2, 'reason');
    const day = date(a, a.need(0, 'the new date written YYYY-MM-DD and a reason in quotes').text, 'Date');
    const reason = requiredText(a, a.need(1, 'a reason in quotes, for example "extra testing"'), 'reason');
    const at = a.option('time');
    return defined({ name: 'date', date: day, time: at === undefined ? undefined : time(a, at), reason });
  },

  decide(a: Args) {
    joinPair(a, 0, ['no go']);
    a.end(2, 'note');
    const verdicts = { go: 'go', 'no-go': 'no-go', nogo: 'no-go', no_go: 'no-go' } as const;
    const verdict = choice(a, a.need(0, 'go or no-go').text, 'a decision', verdicts, ['go', 'no-go']);
    return defined({ name: 'decide', verdict, note: optionalText(a.words[1]?.text), for: forUser(a) });
  },

  report: (a: Args) => (a.end(0), { name: 'report' }),

  'audit verify': (a: Args) => (a.end(0), { name: 'audit-verify' }),

  'audit export'(a: Args) {
    a.end(0);
    const format = a.option('format');
    return { name: 'audit-export', format: format === undefined ? 'jsonl' : choice(a, format, 'an export format', { jsonl: 'jsonl', csv: 'csv' } as const, ['jsonl', 'csv']) };
  },
};

function switchKey(a: Args, text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(text)) {
    a.fail(`Switch key "${text}" is not valid: use letters, digits, dots, dashes and underscores (at most 64).`);
  }
  return text;
}
