import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GENESIS_HASH, type AuditEntry } from '../../src/domain/audit-entry.js';
import { entryHash, stateHashOf } from '../../src/domain/audit.js';
import { Harness } from './golive.js';
import type { AuditPolicy } from '../../src/app/record-check.js';
import { readRaw, releaseBytes, releaseFiles, writeRaw, type RawRecord } from './release-on-disk.js';

// What someone with the data folder (and golive's source, which is public) but not necessarily
// the key can do to a release file, for the tamper suite.

const root = new URL('../..', import.meta.url).pathname;

export const SEED_ID = 'nov-2019-sec';
export const SEED_NAME = 'November 2019 SEC Release';
export const SEED_START = '2019-11-04T09:00:00Z';

/** The README's seed scenario up to the Panel's GO decision and the status shown after it. */
export async function seedToGo(): Promise<string> {
  const script = await readFile(join(root, 'examples', 'sec-release-2019.txt'), 'utf8');
  const cut = script.indexOf('/release report');
  if (cut < 0) throw new Error('examples/sec-release-2019.txt no longer has a /release report line');
  return script.slice(0, cut);
}

/** A second release in its own channel, to show that one failing record stops only itself. */
export const OTHER_RELEASE = '/channel c-other\n/as rita\n/release create "Other" 2019-11-29 --id other\n/channel general\n';

/** The release's state file: what someone editing the release's current state would change. */
export const releaseFile = (dir: string, id: string) => releaseFiles(dir, id).state;

/** Every byte of the release's files (state, audit log, outbox). */
export async function fileBytes(dir: string, id: string): Promise<Buffer> {
  return releaseBytes(dir, id);
}

export type RawDoc = RawRecord;

/** The release's record as its files hold it: { release, audit, outbox, refusals }. */
export async function readDoc(dir: string, id: string): Promise<RawDoc> {
  return readRaw(dir, id);
}

/** Writes the edited record into the release's files as someone with disk access would; returns the bytes now on disk. */
export async function writeDoc(dir: string, id: string, doc: RawDoc): Promise<Buffer> {
  return writeRaw(dir, id, doc);
}

/**
 * Recomputes the links and hashes of every entry from `from` on, as an attacker with the source
 * code can: plain sha256 unless they hold the key. `keyed` is left as the caller set it.
 */
export function reseal(audit: AuditEntry[], from = 0, key?: string): AuditEntry[] {
  for (let index = from; index < audit.length; index++) {
    const entry = audit[index]!;
    entry.prevHash = index > 0 ? audit[index - 1]!.hash : GENESIS_HASH;
    entry.hash = entryHash(entry, key);
  }
  return audit;
}

/** Makes the newest entry seal `release` as it now is, and rehashes from there. */
export function resealState(doc: RawDoc, key?: string): void {
  const head = doc.audit.length - 1;
  doc.audit[head].stateHash = stateHashOf(doc.release);
  reseal(doc.audit, head, key);
}

/** Every "head `…`" a view showed (announcements, status, the paper), in order. */
export function headsShown(output: string): string[] {
  return [...output.matchAll(/head `([0-9a-f]{12})`/g)].map((match) => match[1]!);
}

/** The seed release decided GO (and an unrelated release beside it), in a closed store folder. */
export async function seededFolder(policy: AuditPolicy = {}): Promise<{ dir: string; output: string; head: string }> {
  const h = await Harness.open(SEED_START, undefined, policy);
  const { output } = await h.run(OTHER_RELEASE + (await seedToGo()));
  if (!output.includes(`${SEED_NAME}: GO`)) throw new Error(`the seed scenario did not reach GO:\n${output}`);
  await h.close(false);
  const head = headsShown(output).at(-1);
  if (!head) throw new Error('the seed scenario showed no audit head');
  return { dir: h.dir, output, head };
}

/** Reopens a folder as golive's start-up does, the day after the Panel decided in the seed scenario (15 Nov 2019). */
export function reopen(dir: string, policy: AuditPolicy = {}, at = '2019-11-16T09:00:00Z'): Promise<Harness> {
  return Harness.open(at, dir, policy);
}
