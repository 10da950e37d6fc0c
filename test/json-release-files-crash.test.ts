import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../src/app/store-port.js';
import { verifyRecord } from '../src/domain/record-verify.js';
import { createReleaseFiles, openReleaseFiles, type ReleaseFiles, type ReleaseFilesOptions } from '../store/json/release-files.js';
import type { Commit, StoredRelease } from '../store/json/stored-release.js';
import { change, entries, entryAfter, message, namesIn, newRelease, releasesFolder, removeFolders, stepFs, tally, withIssues } from './support/json-release-files.js';

// Every step of every kind of write, broken in turn: the process "dies" there (nothing after it
// happens), dies halfway through writing (a torn line or file), or the step fails and the
// process goes on. Reopened, the release is exactly as before the write or exactly as after it,
// its record verifies, no leftover file remains, and it takes the next write.

afterEach(removeFolders);

type Scenario = {
  name: string;
  commit: (current: StoredRelease) => Commit<unknown>;
  /** The step whose completion makes the write happen. */
  commitPoint: string;
  compactOutboxAt?: number;
  /** Outbox versions written before: enough superseded ones make this write compact the file. */
  superseded?: number;
};

const sent = (id: string) => message(id, { status: 'sent', attempts: 1, sentAt: '2019-11-04T09:30:00.000Z', messageRef: `ts-${id}` });

const scenarios: Scenario[] = [
  {
    name: 'three entries, a new state and two messages',
    commit: (current) => {
      const release = withIssues(current.release, 7);
      return { release, append: entries(current.head, release, 3), outbox: [message('decision:rel-1:0'), sent('checklist:rel-1')], result: undefined };
    },
    commitPoint: 'append rel-1.audit.jsonl',
  },
  {
    name: 'a refused attempt: one entry, the state unchanged',
    commit: (current) => ({ append: [entryAfter(current.head, current.release, '/release decide go', { outcome: 'refused' })], result: undefined }),
    commitPoint: 'append rel-1.audit.jsonl',
  },
  { name: 'the refusal tally alone', commit: () => ({ refusals: tally(2), result: undefined }), commitPoint: 'rename rel-1.state.next.json' },
  {
    name: 'the refusal tally and a message, no entry',
    commit: () => ({ refusals: tally(3), outbox: [message('checklist-2:rel-1')], result: undefined }),
    commitPoint: 'rename rel-1.state.next.json',
  },
  { name: 'a delivery status alone', commit: () => ({ outbox: [sent('checklist:rel-1')], result: undefined }), commitPoint: 'append rel-1.outbox.jsonl' },
  {
    name: 'a delivery status that makes the outbox worth compacting',
    commit: () => ({ outbox: [sent('checklist:rel-1')], result: undefined }),
    commitPoint: 'append rel-1.outbox.jsonl',
    compactOutboxAt: 1,
    superseded: 3,
  },
];

async function snapshot(files: ReleaseFiles) {
  return { stored: await files.get(), audit: await files.audit(), outbox: await files.outbox() };
}

async function open(folder: string, options: ReleaseFilesOptions = {}): Promise<ReleaseFiles> {
  const files = await openReleaseFiles(folder, 'rel-1', options);
  if (!files) throw new Error('rel-1 did not open');
  return files;
}

/** A release with some history, and its snapshot before and after the scenario's write. */
async function prepared(scenario: Scenario) {
  const folder = await releasesFolder();
  const files = await createReleaseFiles(folder, newRelease('rel-1', [message('checklist:rel-1')]));
  await files.transact((current) => change(current, 1));
  for (let attempt = 1; attempt <= (scenario.superseded ?? 0); attempt++) {
    await files.transact(() => ({ outbox: [message('checklist:rel-1', { attempts: attempt })], result: undefined }));
  }
  await files.close();
  return folder;
}

async function reference(scenario: Scenario) {
  const folder = await prepared(scenario);
  const before = await snapshot(await open(folder));
  const steps = stepFs();
  const files = await open(folder, { compactOutboxAt: scenario.compactOutboxAt, fs: steps.fs });
  const taken = steps.steps.length;
  await files.transact(scenario.commit);
  return { before, after: await snapshot(files), steps: steps.steps.slice(taken) };
}

async function checkRecovered(folder: string, expected: Awaited<ReturnType<typeof snapshot>>) {
  const again = await open(folder);
  expect(again.quarantine).toBeUndefined();
  const now = await snapshot(again);
  expect(now).toEqual(expected);
  expect(verifyRecord({ release: now.stored.release, audit: now.audit })).toMatchObject({ ok: true });
  expect(await namesIn(folder)).toEqual(['rel-1.audit.jsonl', 'rel-1.outbox.jsonl', 'rel-1.state.json']);
  // The log on disk is whole lines only, and takes the next write.
  expect((await readFile(join(folder, 'rel-1.audit.jsonl'), 'utf8')).endsWith('\n')).toBe(true);
  await again.transact((current) => change(current, 99));
  const last = await open(folder);
  expect((await last.get()).release.facts.testingIssues?.count).toBe(99);
  expect(verifyRecord({ release: (await last.get()).release, audit: await last.audit() })).toMatchObject({ ok: true });
}

describe.each(scenarios)('a write of $name', (scenario) => {
  it('recovers, after a crash at each step, to exactly before or exactly after it', async () => {
    const { before, after, steps } = await reference(scenario);
    const point = steps.indexOf(scenario.commitPoint);
    expect(point).toBeGreaterThanOrEqual(0);
    expect(before).not.toEqual(after);
    if (scenario.compactOutboxAt !== undefined) expect(steps.slice(point + 1).map((step) => step.split(' ')[0])).toEqual(['create', 'rename', 'syncFolder']);

    for (const [at, step] of steps.entries()) {
      const tearable = step.startsWith('create') || step.startsWith('append');
      for (const how of tearable ? (['die', 'tear'] as const) : (['die'] as const)) {
        const folder = await prepared(scenario);
        const broken = stepFs();
        const files = await open(folder, { compactOutboxAt: scenario.compactOutboxAt, fs: broken.fs });
        broken.breakAt(at, how);
        const told = await files.transact(scenario.commit).then(
          () => 'saved',
          (error: unknown) => (expect(error).toBeInstanceOf(StoreError), 'failed'),
        );
        const happened = at > point;
        // Never told "saved" for a write that is not on disk.
        if (told === 'saved') expect(happened, `${how} at ${step}`).toBe(true);
        await checkRecovered(folder, happened ? after : before).catch((error: Error) => {
          throw new Error(`${how} at step ${at} (${step}): ${error.message}`);
        });
      }
    }
  });

  it('fails at each step without a restart: rejects unless the files show the write whole, and goes on working', async () => {
    const { before, after, steps } = await reference(scenario);
    const point = steps.indexOf(scenario.commitPoint);
    for (const [at, step] of steps.entries()) {
      const folder = await prepared(scenario);
      const failing = stepFs();
      const files = await open(folder, { compactOutboxAt: scenario.compactOutboxAt, fs: failing.fs });
      failing.breakAt(at, 'fail');
      const told = await files.transact(scenario.commit).then(
        () => 'saved',
        (error: unknown) => (expect(error).toBeInstanceOf(StoreError), 'failed'),
      );
      const happened = at > point;
      const where = `failing at step ${at} (${step})`;
      // A compaction that fails leaves the outbox as it was; the write itself stands.
      expect(told, where).toBe(happened ? 'saved' : 'failed');
      expect(await snapshot(files), where).toEqual(happened ? after : before);
      await checkRecovered(folder, happened ? after : before).catch((error: Error) => {
        throw new Error(`${where}: ${error.message}`);
      });
    }
  });
});

describe('a create', () => {
  it('after a crash at each step, exists whole or not at all', async () => {
    const steps = stepFs();
    const made = await createReleaseFiles(await releasesFolder(), newRelease(), { fs: steps.fs });
    const whole = await snapshot(made);
    const point = steps.steps.indexOf('create rel-1.audit.jsonl');
    for (const [at, step] of steps.steps.entries()) {
      for (const how of ['die', 'tear', 'fail'] as const) {
        if (how === 'tear' && !step.startsWith('create')) continue;
        const folder = await releasesFolder();
        const broken = stepFs();
        broken.breakAt(at, how);
        const told = await createReleaseFiles(folder, newRelease(), { fs: broken.fs }).then(
          () => 'saved',
          () => 'failed',
        );
        const where = `${how} at step ${at} (${step})`;
        const happened = at > point && !(how === 'tear' && at === point);
        if (told === 'saved') expect(happened, where).toBe(true);
        const again = await openReleaseFiles(folder, 'rel-1');
        if (!happened) {
          expect(again, where).toBeUndefined();
          expect(await namesIn(folder), where).toEqual([]);
          continue;
        }
        expect(await snapshot(again!), where).toEqual(whole);
        expect(await namesIn(folder), where).toEqual(['rel-1.audit.jsonl', 'rel-1.outbox.jsonl', 'rel-1.state.json']);
      }
    }
  });
});
