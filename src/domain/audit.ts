import { createHash, createHmac } from 'node:crypto';
import { GENESIS_HASH, type AuditEntry, type UnsealedAuditEntry } from './audit-entry.js';

// The audit chain: each entry carries the hash of its predecessor, so editing, removing,
// reordering or inserting an entry shows up when the chain is verified. Pure computation.

/**
 * JSON with object keys sorted at every depth and `undefined` properties left out, so the same
 * value always gives the same text (and the same hash) whatever order its keys were built in,
 * and whether or not it went through a JSON round trip on disk.
 */
export function canonicalJson(value: unknown): string {
  // A value whose objects already list their keys in order (what golive reads back from its own
  // files: log lines are canonical, state files are written with keys in order) is JSON.stringify's
  // text exactly, made natively: opening a thousand releases, their states' seals cost a tenth.
  if (inCanonicalOrder(value)) return JSON.stringify(value);
  const text = canonical(value);
  if (text === undefined) throw new TypeError(`canonicalJson cannot represent a value of type ${typeof value}`);
  return text;
}

function canonical(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      throw new TypeError('canonicalJson cannot represent a bigint');
    case 'object':
      break;
    default:
      return undefined; // undefined, functions and symbols, as JSON.stringify does
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return canonical(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const text = canonical(record[key]);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * Whether JSON.stringify would give `value`'s canonical text: plain objects and arrays only (no
 * toJSON, no holes), each object's keys in ascending order as listed, every value one JSON keeps
 * (no undefined, no non-finite number). Anything else takes the general way above.
 */
function inCanonicalOrder(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) {
    for (const item of value) if (!inCanonicalOrder(item)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const record = value as Record<string, unknown>;
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    if (previous !== undefined && !(previous < key)) return false;
    if (!inCanonicalOrder(record[key])) return false;
    previous = key;
  }
  return true;
}

/**
 * A JSON.stringify replacer that lists every plain object's keys in canonical order, so a file
 * written with it reads back in that order and its hash is quick to check (canonicalJson above).
 */
export function keysInOrder(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let ordered = true;
  for (let at = 1; at < keys.length && ordered; at++) ordered = keys[at - 1]! < keys[at]!;
  if (ordered) return value;
  // Without a prototype, a key named __proto__ is a member like any other, not the prototype's setter.
  const sorted = Object.create(null) as Record<string, unknown>;
  for (const key of keys.sort()) sorted[key] = record[key];
  return sorted;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The secret a keyed chain is sealed with (GOLIVE_AUDIT_KEY); without it entries use plain sha256. */
export type AuditKey = string | undefined;

/**
 * The hash an entry should carry: over its prevHash and everything in it except `hash`. A keyed
 * entry uses HMAC-SHA256, so whoever has the files but not the key cannot recompute it.
 */
export function entryHash(entry: Omit<AuditEntry, 'hash'> & { hash?: string }, key?: AuditKey): string {
  const { hash: _ignored, ...content } = entry;
  const text = content.prevHash + canonicalJson(content);
  if (!content.keyed) return sha256(text);
  if (key === undefined) throw new TypeError('a keyed audit entry needs the key to be hashed');
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** The hash of a release state as an audit entry seals it: the same for equal states, however built. */
export function stateHashOf(state: unknown): string {
  return sha256(canonicalJson(state));
}

/**
 * Appends `entry` after the last entry of `chain`: numbers it, links it to that entry and hashes
 * it (keyed when `key` is given). Only the last entry is read, so the cost does not grow with the chain.
 */
export function sealEntry(chain: readonly AuditEntry[], entry: UnsealedAuditEntry, key?: AuditKey): AuditEntry {
  const last = chain[chain.length - 1];
  // Rebuilt field by field so stray properties (a stale seq or hash) never reach the hash.
  const unsealed: Omit<AuditEntry, 'hash'> = {
    seq: last ? last.seq + 1 : 1,
    at: entry.at,
    actor: { id: entry.actor.id, platform: entry.actor.platform },
    command: entry.command,
    outcome: entry.outcome,
    ...(entry.request !== undefined && { request: entry.request }),
    ...(entry.reason !== undefined && { reason: entry.reason }),
    ...(entry.count !== undefined && { count: entry.count }),
    ...(entry.request !== undefined && { request: entry.request }),
    ...(entry.before !== undefined && { before: entry.before }),
    ...(entry.after !== undefined && { after: entry.after }),
    ...(entry.stateHash !== undefined && { stateHash: entry.stateHash }),
    ...(key !== undefined && { keyed: true as const }),
    prevHash: last ? last.hash : GENESIS_HASH,
  };
  return { ...unsealed, hash: entryHash(unsealed, key) };
}

export type ChainProblem = 'edited' | 'removed' | 'reordered' | 'inserted' | 'keyed' | 'time';

export type ChainVerdict =
  | { ok: true; entries: number; head: string /** The first keyed entry, if any: every later one is keyed too. */; keyedFrom?: number }
  | { ok: false; seq: number; index: number; problem: ChainProblem; message: string };

type Failure = Extract<ChainVerdict, { ok: false }>;

// Stands in for "the entry before the first one".
const GENESIS = { seq: 0, hash: GENESIS_HASH } as const;

/**
 * Checks every entry's own hash (keyed entries under `key`), its link to the entry before it and
 * that time never runs backwards, and names the first entry that is wrong. Removing entries from
 * the end cannot be seen from the chain alone: the state hash (verifyRecord) and a head published
 * elsewhere catch that.
 */
export function verifyChain(chain: readonly AuditEntry[], key?: AuditKey): ChainVerdict {
  const keyedFrom = chain.find((entry) => entry.keyed)?.seq;
  const sealedOk = chain.map((entry) => (entry.keyed && key === undefined ? false : entryHash(entry, key) === entry.hash));
  let keyedBefore = false;
  for (let index = 0; index < chain.length; index++) {
    const entry = chain[index]!;
    const prev = index > 0 ? chain[index - 1]! : GENESIS;
    if (entry.keyed && key === undefined) {
      return fail(entry.seq, index, 'keyed', `Entry ${entry.seq} is sealed with a key (HMAC-SHA256), but golive was started without GOLIVE_AUDIT_KEY, so it cannot be checked.`);
    }
    // Tracked as the loop goes, so verifying stays linear in the length of the chain.
    const downgraded = !entry.keyed && keyedBefore;
    keyedBefore ||= entry.keyed === true;
    if (downgraded) {
      return fail(entry.seq, index, 'keyed', `Entry ${entry.seq} is not keyed although the entries before it are: it was written by someone without the key.`);
    }
    const linked = entry.seq === prev.seq + 1 && entry.prevHash === prev.hash;
    if (sealedOk[index] && linked) {
      if (index > 0 && Date.parse(entry.at) < Date.parse((prev as AuditEntry).at)) {
        return fail(entry.seq, index, 'time', `Entry ${entry.seq} is dated ${entry.at}, before entry ${prev.seq} (${(prev as AuditEntry).at}): the record goes back in time.`);
      }
      continue;
    }
    if (!sealedOk[index]) {
      const how = entry.keyed ? ' under GOLIVE_AUDIT_KEY (it was edited, or sealed with another key)' : '';
      return bridged(chain, sealedOk, index) ?? fail(entry.seq, index, 'edited', `Entry ${entry.seq} was edited: its content no longer matches its hash${how}.`);
    }
    return (!belongs(chain, index) && bridged(chain, sealedOk, index)) || misplaced(chain, index);
  }
  const last = chain[chain.length - 1];
  return { ok: true, entries: chain.length, head: last ? last.hash : GENESIS_HASH, ...(keyedFrom !== undefined && { keyedFrom }) };
}

function fail(seq: number, index: number, problem: ChainProblem, message: string): Failure {
  return { ok: false, seq, index, problem, message };
}

// A genuine entry that was merely moved: it is the only one with its hash, and the entry it was
// sealed after is somewhere in the chain with the number just before its own.
function belongs(chain: readonly AuditEntry[], index: number): boolean {
  const entry = chain[index]!;
  if (chain.some((other, at) => at !== index && other.hash === entry.hash)) return false;
  if (entry.seq === 1 && entry.prevHash === GENESIS_HASH) return true;
  return chain.some((other) => other.hash === entry.prevHash && other.seq + 1 === entry.seq);
}

// The entries on either side link to each other, so the one between them does not belong.
function bridged(chain: readonly AuditEntry[], sealedOk: readonly boolean[], index: number): Failure | undefined {
  const entry = chain[index]!;
  const prev = index > 0 ? chain[index - 1]! : GENESIS;
  const next = chain[index + 1];
  if (!next || !sealedOk[index + 1] || next.seq !== prev.seq + 1 || next.prevHash !== prev.hash) return undefined;
  const after = index > 0 ? `entry ${prev.seq}` : 'the start of the chain';
  return fail(entry.seq, index, 'inserted', `An entry numbered ${entry.seq} was inserted at position ${index + 1}: entry ${next.seq} links straight to ${after}.`);
}

// The entry's own hash is good but it does not follow the entry before it.
function misplaced(chain: readonly AuditEntry[], index: number): Failure {
  const entry = chain[index]!;
  const prev = index > 0 ? chain[index - 1]! : GENESIS;
  const expected = prev.seq + 1;
  const after = index > 0 ? `entry ${prev.seq}` : 'the start of the chain';

  if (entry.seq > expected) {
    if (chain.slice(index + 1).some((later) => later.seq === expected)) {
      return fail(entry.seq, index, 'reordered', `Entry ${entry.seq} is out of order: it comes before entry ${expected}.`);
    }
    const missing = entry.seq - 1 === expected ? `Entry ${expected} was` : `Entries ${expected} to ${entry.seq - 1} were`;
    return fail(expected, index, 'removed', `${missing} removed: entry ${entry.seq} comes straight after ${after}.`);
  }

  if (entry.seq < expected) {
    // Two entries sealed after the same predecessor: the one the chain continues from is genuine.
    if (index > 0 && entry.seq === prev.seq && entry.prevHash === (prev as AuditEntry).prevHash) {
      const next = chain[index + 1];
      const forged = next && next.prevHash === entry.hash ? index - 1 : index;
      return fail(entry.seq, forged, 'inserted', `An extra entry numbered ${entry.seq} was inserted at position ${forged + 1}: two entries claim the same place in the chain.`);
    }
    const original = chain.findIndex((other, at) => at < index && other.hash === entry.hash);
    if (original >= 0) {
      return fail(entry.seq, index, 'inserted', `A copy of entry ${entry.seq} was inserted at position ${index + 1}.`);
    }
    return fail(entry.seq, index, 'reordered', `Entry ${entry.seq} is out of order: it comes after entry ${prev.seq}.`);
  }

  // Right number, wrong predecessor.
  const sealedAfter = chain.findIndex((other, at) => at !== index - 1 && other.hash === entry.prevHash);
  if (sealedAfter >= 0) {
    return fail(entry.seq, index, 'reordered', `Entry ${entry.seq} is out of order: it was sealed after entry ${chain[sealedAfter]!.seq}, not after ${after}.`);
  }
  if (index === 0) {
    return fail(entry.seq, index, 'removed', `Entries before entry ${entry.seq} were removed: it was sealed after an entry that is no longer in the chain.`);
  }
  return fail(prev.seq, index - 1, 'removed', `Entry ${prev.seq} was removed and replaced: entry ${entry.seq} was sealed after a different entry ${prev.seq}.`);
}

/** One canonical JSON entry per line. */
export function exportJsonl(chain: readonly AuditEntry[]): string {
  return chain.map((entry) => `${canonicalJson(entry)}\n`).join('');
}

export const CSV_HEADER = ['seq', 'at', 'actor', 'platform', 'command', 'outcome', 'reason', 'before', 'after', 'prevHash', 'hash'] as const;

/** RFC 4180 CSV (CRLF line ends), safe to open in a spreadsheet. */
export function exportCsv(chain: readonly AuditEntry[]): string {
  const rows = chain.map((entry) => [
    String(entry.seq),
    entry.at,
    entry.actor.id,
    entry.actor.platform,
    entry.command,
    entry.outcome,
    entry.reason ?? '',
    entry.before === undefined ? '' : canonicalJson(entry.before),
    entry.after === undefined ? '' : canonicalJson(entry.after),
    entry.prevHash,
    entry.hash,
  ]);
  return [[...CSV_HEADER], ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
// a leading quote makes it plain text.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
