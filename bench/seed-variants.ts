import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runConsole } from '../adapters/console/console-chat.js';
import { GoliveApp } from '../src/app/app.js';
import { rehearsalClock } from '../src/app/clock.js';
import { noGroups } from '../src/app/context.js';
import { Scheduler } from '../src/app/delivery/scheduler.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import type { ReleaseDocument } from '../store/release-document.js';
import { documentOf } from './bench-stores.js';
import { type TemplateId, type VariantScript, type VariantSpec, variantScript } from './variant-script.js';

/** Distinct releases made through the app; the seeded store's 1,000 are copies of these. */
export const VARIANTS = 24;

export interface Variant {
  label: string;
  template: TemplateId;
  when: 'past' | 'upcoming';
  doc: ReleaseDocument;
}

/**
 * The kinds of release a long-lived golive holds, each made through the console as its people
 * would type it, with the schedule running on a rehearsal clock (kickoff, reminders, go/no-go):
 * both templates, gone live months ago or still being answered. Variant 1 is an upcoming SEC
 * release in progress (the one the platform benchmarks ask about); variant 0 a past SEC release
 * (the one grown to a long history). Each runs in its own folder, several at once: they wait on fsync.
 */
export async function seedVariants(now: Date = new Date(), count = VARIANTS): Promise<Variant[]> {
  const scripts = Array.from({ length: count }, (_, key) => variantScript(specOf(key), now));
  const variants: Variant[] = [];
  for (let at = 0; at < scripts.length; at += 8) variants.push(...(await Promise.all(scripts.slice(at, at + 8).map(runVariant))));
  return variants;
}

/** Variant `key`'s kind: templates and past/upcoming alternate, so any run of four holds every kind. */
export function specOf(key: number): VariantSpec {
  return { key, template: key % 4 < 2 ? 'sec-release' : 'software-release', when: key % 2 === 0 ? 'past' : 'upcoming' };
}

/** One variant's release, its script ending at `now`. */
export const seedVariant = (spec: VariantSpec, now: Date): Promise<Variant> => runVariant(variantScript(spec, now));

async function runVariant(made: VariantScript): Promise<Variant> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-bench-variant-'));
  try {
    const store = await openLowdbStore(dir);
    const said: string[] = [];
    try {
      const clock = rehearsalClock(made.start);
      const app = new GoliveApp({ store, clock, directory: noGroups });
      const output = new Writable({
        write: (chunk, _encoding, done) => {
          said.push(String(chunk));
          done();
        },
      });
      const status = await runConsole({ app, input: Readable.from([made.script]), output, interactive: false, user: 'rita', workingDir: dir, clock, scheduler: new Scheduler(store) });
      const id = `v${made.spec.key}`;
      const doc = await documentOf(store, id);
      const problem = status !== 0 ? `the console exited ${status}` : !doc ? 'no release was made' : mismatch(doc, made);
      if (problem) throw new Error(`seed variant ${made.spec.key} (${made.spec.template}, ${made.spec.when}): ${problem}. The console said:\n${said.join('').slice(-6000)}`);
      return { label: `${made.spec.template} ${made.spec.when}`, template: made.spec.template, when: made.spec.when, doc: { ...doc!, outbox: [] } };
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the record shows against what its script meant: a refused command would otherwise go unnoticed. */
function mismatch(doc: ReleaseDocument, made: VariantScript): string | undefined {
  const { release, audit } = doc;
  const refused = audit.filter((e) => e.outcome === 'refused');
  if (refused.length > 0) return `${refused.length} command(s) refused, first "${refused[0]!.command}": ${refused[0]!.reason}`;
  const answered = release.criteria.filter((c) => c.responses.length > 0).length;
  if (answered < made.expect.answered) return `${answered} criteria answered, expected ${made.expect.answered}`;
  if (made.expect.decided && !release.decisions.some((d) => d.verdict === 'go')) return 'no go decision was recorded';
  if (made.expect.closed && !release.outcome) return 'no outcome was recorded';
  return undefined;
}
