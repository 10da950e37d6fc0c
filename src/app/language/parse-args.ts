// The pieces every command's reader uses: its words and options, failures that carry its
// usage, and the checks for each kind of value (ids, dates, people, links).

import type { Command, CriterionRef, ParseFailure, UserRef } from './commands.js';
import type { Word } from './tokenize.js';
import type { UsageEntry } from './usage.js';
import { suggest } from './suggest.js';
import { HttpUrl, SLUG_PATTERN, UserId, isRealDate } from '../../domain/primitives.js';
import { isPersonPlatform, isQualified, localId, platformOf } from '../../domain/person-id.js';

export class Failure {
  constructor(readonly error: ParseFailure) {}
}

export function fail(message: string, usage?: string, suggestion?: string): never {
  const error: ParseFailure = { message };
  if (usage !== undefined) error.usage = usage;
  if (suggestion !== undefined) error.suggestion = suggestion;
  throw new Failure(error);
}

/** An option as written, with the words it took. */
export interface Given {
  name: string;
  raw: string;
  values: string[];
  /** Why it is malformed, reported once the command (and so its usage) is known. */
  problem?: string;
}

export const dashed = (name: string | undefined): string | undefined => (name === undefined ? undefined : `--${name}`);

/** The words and options of one command, with failures that carry its usage. */
export class Args {
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

export function slug(a: Args, text: string, what: string): string {
  const value = text.toLowerCase();
  if (!SLUG_PATTERN.test(value)) {
    a.fail(`${what} "${text}" is not valid: use letters, digits and dashes (at most 63), starting with a letter or digit.`);
  }
  return value;
}

export function date(a: Args, text: string, what: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) a.fail(`${what} "${text}" is not a date: write YYYY-MM-DD, for example 2019-11-29.`);
  if (!isRealDate(text)) a.fail(`${what} "${text}" is not a real calendar date.`);
  return text;
}

/** A schedule point's day as a manager writes it, canonical: `t-3` is `T-3`, `T` is `T-0`. */
export function scheduleDay(a: Args, text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return date(a, text, 'Date');
  const offset = /^t(?:([-+])(\d{1,3}))?$/i.exec(text);
  if (offset) {
    const n = Number(offset[2] ?? 0);
    return n === 0 ? 'T-0' : `T${offset[1]}${n}`;
  }
  const range = /^t-(\d{1,3})\.\.t-(\d{1,3})$/i.exec(text);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (from < to) a.fail(`"${text}" runs backwards: write the earlier day first, for example T-${to}..T-${from}.`);
    return `T-${from}..T-${to}`;
  }
  return a.fail(
    `"${text}" is not a schedule day: write T-3 (3 working days before the implementation date), T+1 (the working day after), T-4..T-1 (every working day from T-4 to T-1) or a date YYYY-MM-DD.`,
  );
}

export function time(a: Args, text: string): string {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) a.fail(`Time "${text}" is not valid: write HH:MM on the 24-hour clock, for example 09:30.`);
  return `${match[1]!.padStart(2, '0')}:${match[2]}`;
}

export function zone(a: Args, text: string): string {
  if (text.toUpperCase() === 'UTC') return 'UTC';
  if (!/^[A-Za-z][A-Za-z_-]*(?:\/[A-Za-z0-9_+-]+)+$/.test(text)) {
    a.fail(`Time zone "${text}" is not valid: write Area/City, for example Europe/London, or UTC.`);
  }
  return text;
}

export function count(a: Args, text: string, what: string): number {
  if (!/^\d{1,9}$/.test(text)) a.fail(`${what} must be a whole number, 0 or more, not "${text}".`);
  return Number(text);
}

export function positive(a: Args, text: string, what: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) a.fail(`${what} must be a whole number, 1 or more, not "${text}".`);
  return Number(text);
}

/** A fixed set of words, case ignored, with synonyms; a typo gets the nearest canonical word. */
export function choice<V>(a: Args, text: string, what: string, words: Record<string, V>, canonical: readonly string[]): V {
  const typed = text.toLowerCase();
  if (Object.hasOwn(words, typed)) return words[typed]!;
  const list = canonical.length > 1 ? `${canonical.slice(0, -1).join(', ')} or ${canonical.at(-1)}` : canonical.join('');
  return a.fail(`"${text}" is not ${what}: use ${list}.`, suggest(typed, canonical));
}

export const ANSWERS = {
  met: 'met',
  'not-met': 'not-met',
  notmet: 'not-met',
  not_met: 'not-met',
  'need-info': 'need-info',
  needinfo: 'need-info',
  need_info: 'need-info',
} as const;
export const ANSWER_WORDS = ['met', 'not-met', 'need-info'];
export const ON_OFF = { on: 'on', off: 'off' } as const;

export function optionalText(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function requiredText(a: Args, word: Word, what: string): string {
  return optionalText(word.text) ?? a.fail(`The ${what} is empty.`);
}

const BROADCASTS = /^(?:channel|here|everyone)$/i;
const HOW_TO_NAME = 'write @name for someone on this platform, or @slack:U123 (@<platform>:<id>) for someone on another; in Slack or Teams, mention them';

/**
 * A person (`@alice`, `@slack:U123`, or the id alone) or a platform user group (`@@slack:S123`).
 * A bare id stays bare here: the app qualifies it with the platform of whoever typed it.
 */
export function user(a: Args, text: string): UserRef {
  const group = text.startsWith('@@');
  const id = group ? text.slice(2) : text.startsWith('@') ? text.slice(1) : text;
  // A qualified id's own part is an id too: `@slack:__proto__` is no more a person than `@__proto__`.
  const own = isQualified(id) ? localId(id) : id;
  if (!UserId.safeParse(id).success || !UserId.safeParse(own).success || id.endsWith(':'))
    a.fail(`"${text}" is not a ${group ? 'user group' : 'person'}: ${group ? 'write @@<platform>:<group id>, like @@slack:S123' : HOW_TO_NAME}.`);
  if (!group && BROADCASTS.test(own)) a.fail(`"${text}" names everyone in a conversation, not a person: name the people.`);
  const platform = platformOf(id);
  if (platform !== undefined && !isPersonPlatform(platform))
    a.fail(`"${text}" is not a ${group ? 'user group' : 'person'}: ${platform} ids name ${platform === 'hook' ? 'webhooks' : 'golive itself'}, never people.`);
  return group ? { kind: 'usergroup', id } : { kind: 'user', id };
}

// People may be listed with commas as well as spaces ("alice, bob").
export function users(a: Args, words: Word[], what: string): UserRef[] {
  const texts = words.flatMap((word) => word.text.split(',')).filter((text) => text.trim() !== '');
  if (texts.length === 0) a.fail(`${a.name} needs ${what}.`);
  return texts.map((text) => user(a, text.trim()));
}

export function criterion(a: Args, text: string): CriterionRef {
  const number = /^#?(\d+)$/.exec(text);
  if (number) {
    if (!/^[1-9]\d{0,3}$/.test(number[1]!)) a.fail(`"${text}" is not a criterion number: use 1 to 9999.`);
    return { number: Number(number[1]) };
  }
  const id = text.toLowerCase();
  if (!SLUG_PATTERN.test(id)) a.fail(`"${text}" is not a criterion: give its id (like code-ready) or its number (like 3).`);
  return { id };
}

export function risk(a: Args, text: string): number {
  const match = /^(?:r|#)?([1-9]\d{0,8})$/i.exec(text);
  if (!match) a.fail(`"${text}" is not a risk number: write 1, R1 or #1.`);
  return Number(match[1]);
}

export function url(a: Args, text: string): string {
  if (!HttpUrl.safeParse(text).success) a.fail(`Evidence "${text}" is not an http:// or https:// link.`);
  return text;
}

// Only present when given, so commands without it read exactly as before.
export function allowNonWorkingDay(a: Args): true | undefined {
  return a.flag('allow-non-working-day') ? true : undefined;
}

export function forUser(a: Args): UserRef | undefined {
  const text = a.option('for');
  return text === undefined ? undefined : user(a, text);
}

/** `not met`, `need info`, `no go` typed as two words count as one. */
export function joinPair(a: Args, index: number, pairs: readonly string[]): void {
  const [first, second] = [a.words[index], a.words[index + 1]];
  if (first === undefined || second === undefined || first.quoted || second.quoted) return;
  const pair = `${first.text} ${second.text}`.toLowerCase();
  if (pairs.includes(pair)) a.words.splice(index, 2, { kind: 'word', text: pair.replace(' ', '-'), quoted: false });
}

export function defined(command: Command): Command {
  return Object.fromEntries(Object.entries(command).filter(([, value]) => value !== undefined)) as Command;
}

export function switchKey(a: Args, text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(text)) {
    a.fail(`Switch key "${text}" is not valid: use letters, digits, dots, dashes and underscores (at most 64).`);
  }
  return text;
}
