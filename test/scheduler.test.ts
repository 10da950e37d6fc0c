import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runConsole } from '../adapters/console/console-chat.js';
import { Scheduler } from '../src/app/delivery/scheduler.js';
import { renderMessage } from '../src/app/delivery/render-message.js';
import { verifyChain } from '../src/domain/audit.js';
import { evidenceRuleOf } from '../src/domain/evidence-deadline.js';
import { lateEvidence } from '../src/domain/late-evidence.js';
import type { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import { Harness } from './support/golive.js';
import { fileBytes, readDoc, writeDoc } from './support/tamper.js';
import { turnsDuring } from './support/turns-during.js';
import { recordOf } from './support/store-records.js';

// The scheduler on the real store, ticked with an injected clock: what it writes to the outbox (the
// intent golive will deliver) and to the audit record, across restarts, downtime and date moves.
const R = 'nov-2019-sec';
const SETUP = `/release create "November 2019 SEC Release" 2019-11-29 --template sec-release --id ${R}
/release role DCC dan
/release role SECAS sam
/release group opsg members olivia oscar --quorum 2 --meeting 2019-11-08
/release group tag members tara tom --quorum 1 --meeting 2019-11-08
`;
const DAN_ANSWERS = ['code-ready', 'test-phases-closed', 'no-sev1-sev2', 'defect-plans', 'environments-aligned', 'ops-ready']
  .map((c) => `/release confirm ${c} met "done" --evidence https://example.org/${c}`)
  .join('\n');

let open: Harness[] = [];
async function harness(start: string, dir?: string): Promise<Harness> {
  const h = await Harness.open(start, dir);
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open) await h.close().catch(() => undefined);
  open = [];
});

const scheduled = async (h: Harness) => (await recordOf(h.store, R)).outbox.filter((m) => m.id.startsWith('sched:') && m.kind !== 'checklist-update');
const golive = async (h: Harness) => (await recordOf(h.store, R)).audit.filter((e) => e.actor.platform === 'golive');
const brief = (m: OutboxMessage) => `${m.kind} ${'channel' in m.to ? `#${m.to.channel.id}` : `@${m.to.person.id}`} ${m.dueAt}${m.late ? ' late' : ''}`;

/** Ticks at every due instant up to `end`, as the 30-second timer would reach them. */
async function drive(h: Harness, scheduler: Scheduler, end: string): Promise<number> {
  let ticks = 0;
  for (;;) {
    const next = await scheduler.dueBefore(new Date(end));
    if (!next) return ticks;
    const now = h.clock.now();
    const at = new Date(Math.max(now.getTime(), next.getTime()));
    h.clock.set(at.toISOString());
    const report = await scheduler.tick(h.clock.now());
    expect(report.acted, `a due tick at ${at.toISOString()} must act`).toEqual([R]);
    ticks += 1;
  }
}

describe('the scheduler', () => {
  it('a restart in the middle sends nothing twice and misses nothing', async () => {
    const straight = await harness('2019-11-01T10:00:00Z');
    await straight.run(SETUP);
    await drive(straight, new Scheduler(straight.store), '2019-12-03T00:00:00Z');
    const expected = (await scheduled(straight)).map((m) => m.id);
    expect(expected.length).toBeGreaterThan(15);

    const first = await harness('2019-11-01T10:00:00Z');
    await first.run(SETUP);
    await drive(first, new Scheduler(first.store), '2019-11-15T12:00:00Z');
    const before = (await scheduled(first)).map((m) => m.id);
    await first.store.close();
    // Restarted on the same folder: a new store (verified at open) and a new scheduler.
    const second = await harness('2019-11-15T12:00:00Z', first.dir);
    expect(await second.store.quarantine(R)).toBeUndefined();
    const scheduler = new Scheduler(second.store);
    expect(await scheduler.tick(second.clock.now())).toEqual({ acted: [], messages: 0 });
    await drive(second, scheduler, '2019-12-03T00:00:00Z');
    const ids = (await scheduled(second)).map((m) => m.id);
    expect(ids.slice(0, before.length)).toEqual(before);
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    expect(verifyChain((await recordOf(second.store, R)).audit)).toMatchObject({ ok: true });
  });

  it('writes nothing on a tick where nothing is due, and one sealed entry for each tick that acted', async () => {
    const h = await harness('2019-11-01T10:00:00Z');
    await h.run(SETUP);
    const scheduler = new Scheduler(h.store);
    await scheduler.tick(h.clock.now());
    const entries = (await recordOf(h.store, R)).audit.length;
    expect(await golive(h)).toHaveLength(1);
    expect((await golive(h))[0]!.command).toMatch(/^\(schedule\) kickoff kickoff due 1 Nov 2019 10:00 GMT sent to 1 channel and 2 people$/);
    h.clock.set('2019-11-04T12:00:00Z');
    expect(await scheduler.tick(h.clock.now())).toEqual({ acted: [], messages: 0 });
    expect((await recordOf(h.store, R)).audit).toHaveLength(entries);
    expect((await scheduler.nextDueOverall())?.toISOString()).toBe('2019-11-05T09:00:00.000Z');
  });

  it('after downtime sends what fell due once, marked late, collapsing the reminders and dropping expired deadlines', async () => {
    const h = await harness('2019-11-01T10:00:00Z');
    await h.run(SETUP);
    const scheduler = new Scheduler(h.store);
    await scheduler.tick(h.clock.now());
    const kickoff = (await scheduled(h)).length;
    // golive is down from 1 Nov until 26 Nov 12:00: T-15, T-10, T-5, T-4 and T-3 reminders, the
    // evidence reminders and deadlines before the 8 Nov meetings, and the T-3 escalation fell due.
    h.clock.set('2019-11-26T12:00:00Z');
    await scheduler.tick(h.clock.now());
    const sent = (await scheduled(h)).slice(kickoff).map(brief);
    expect(sent).toEqual(['reminder @console:dan 2019-11-26T09:00:00.000Z late', 'reminder @console:sam 2019-11-26T09:00:00.000Z late', 'escalation @console:rita 2019-11-26T09:00:00.000Z late']);
    const entry = (await golive(h)).at(-1)!;
    expect(entry.command).toContain('reminder remind-daily due 26 Nov 2019 09:00 GMT sent to 2 people (late)');
    expect(entry.command).toContain('evidence-deadline (opsg) due 6 Nov 2019 17:00 GMT (expired)');
    expect(entry.command).toContain('remind-t15 due 8 Nov 2019 09:00 GMT (collapsed)');
    expect(entry.command).toContain('remind-daily due 25 Nov 2019 09:00 GMT (collapsed)');
  });

  it('drops a reminder whose criteria were answered while golive was down, and reminds only who still owes', async () => {
    const h = await harness('2019-11-01T10:00:00Z');
    await h.run(SETUP);
    const scheduler = new Scheduler(h.store);
    await scheduler.tick(h.clock.now());
    const kickoff = (await scheduled(h)).length;
    h.clock.set('2019-11-12T10:00:00Z');
    await h.run(DAN_ANSWERS, 'dan');
    h.clock.set('2019-11-15T09:00:00Z');
    await scheduler.tick(h.clock.now());
    expect((await scheduled(h)).slice(kickoff).map(brief)).toEqual(['reminder @console:sam 2019-11-15T09:00:00.000Z']);
    h.clock.set('2019-11-18T10:00:00Z');
    await h.run('/release confirm secas-ready met "ready" --evidence https://example.org/secas', 'sam');
    h.clock.set('2019-11-22T09:30:00Z');
    await scheduler.tick(h.clock.now());
    expect((await scheduled(h)).slice(kickoff + 1)).toEqual([]);
    expect((await golive(h)).at(-1)!.command).toBe('(schedule) dropped: remind-t5 due 22 Nov 2019 09:00 GMT (answered)');
  });

  it('a date moved earlier does not lose a point that now lies behind the watermark', async () => {
    const h = await harness('2019-11-01T10:00:00Z');
    await h.run(SETUP);
    const scheduler = new Scheduler(h.store);
    await drive(h, scheduler, '2019-11-22T09:00:00Z');
    expect((await h.store.get(R))!.release.scheduledThrough).toBe('2019-11-22T09:00:00.000Z');
    // Brought forward to Monday 25 Nov: its T-3 escalation (20 Nov 09:00) is behind the watermark.
    h.clock.set('2019-11-22T09:30:00Z');
    await h.run('/release date 2019-11-25 "Brought forward"');
    expect((await scheduler.nextDueOverall())?.toISOString()).toBe('2019-11-22T09:00:00.000Z');
    h.clock.set('2019-11-22T09:40:00Z');
    await scheduler.tick(h.clock.now());
    const escalations = (await scheduled(h)).filter((m) => m.kind === 'escalation').map(brief);
    expect(escalations).toEqual(['escalation @console:rita 2019-11-20T09:00:00.000Z late']);
    // Points that kept their time are not repeated: the kickoff and the 6 Nov deadlines went once.
    expect((await scheduled(h)).filter((m) => m.kind === 'evidence-deadline')).toHaveLength(2);
    await drive(h, scheduler, '2019-11-26T00:00:00Z');
    expect((await scheduled(h)).filter((m) => m.kind === 'go-no-go').map(brief)).toEqual([`go-no-go #${(await h.store.get(R))!.release.channels[0]!.id} 2019-11-22T10:00:00.000Z`]);
  });

  it('leaves a closed release alone', async () => {
    const h = await harness('2019-11-01T10:00:00Z');
    await h.run(SETUP);
    h.clock.set('2019-11-29T12:00:00Z');
    await h.run('/release close cancelled "Not needed"');
    const entries = (await recordOf(h.store, R)).audit.length;
    const scheduler = new Scheduler(h.store);
    expect(await scheduler.nextDueOverall()).toBeUndefined();
    expect(await scheduler.tick(new Date('2019-12-05T09:00:00Z'))).toEqual({ acted: [], messages: 0 });
    expect((await recordOf(h.store, R)).audit).toHaveLength(entries);
  });
});

describe('the console with the schedule', () => {
  it('speaks first after a command: the kickoff once the release exists, a reminder once it falls due', async () => {
    const h = await harness('2019-11-01T10:00:00Z');
    const scheduler = new Scheduler(h.store);
    const run = async (script: string, user = 'rita') => {
      let output = '';
      const sink = new Writable({
        write(chunk, _encoding, done) {
          output += String(chunk);
          done();
        },
      });
      await runConsole({ app: h.app, input: Readable.from([script]), output: sink, interactive: false, user, workingDir: h.workingDir, scheduler });
      return output;
    };
    const first = await run(`/release create "November 2019 SEC Release" 2019-11-29 --template sec-release --id ${R}\n/release role DCC dan\n`);
    // The kickoff goes out right after `create`, before anyone has a role: the checklist only; dan is
    // told what is his when the role makes him an owner.
    expect(first).toContain('Go-live checklist');
    expect(first.match(/Go-live checklist/g)).toHaveLength(1);
    expect(first.match(/\[DM @dan\] November 2019 SEC Release: what is yours/g)).toHaveLength(1);
    expect(first).toContain('6 criteria are yours to answer');
    h.clock.set('2019-11-08T09:00:10Z');
    const later = await run('/release status\n', 'dan');
    expect(later).toContain('Reminder: November 2019 SEC Release');
    expect(later).toContain('[DM @dan] Reminder: November 2019 SEC Release');
    expect(later).toContain('6 criteria wait for you');
    expect(later.match(/Reminder: November 2019 SEC Release/g)).toHaveLength(1);
  });
});

describe('the go/no-go announcement', () => {
  async function announcementAfter(script: string): Promise<string[]> {
    const h = await harness('2019-11-01T10:00:00Z');
    await h.run(`${SETUP}/release role Panel pat\n`);
    h.clock.set('2019-11-20T10:00:00Z');
    for (const [user, line] of script
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(': ') as [string, string]))
      await h.run(`${line}\n`, user);
    const scheduler = new Scheduler(h.store);
    h.clock.set('2019-11-28T10:00:00Z');
    await scheduler.tick(h.clock.now());
    const doc = await recordOf(h.store, R);
    const message = doc.outbox.find((m) => m.kind === 'go-no-go')!;
    expect(message.dueAt).toBe('2019-11-28T10:00:00.000Z');
    const view = renderMessage(message, doc, new Date('2019-11-28T10:00:05Z'));
    return view.blocks.map((b) =>
      'text' in b
        ? b.text
        : 'content' in b
          ? b.content.map((s) => ('text' in s ? s.text : `@${'id' in s ? s.id : ''}`)).join('')
          : b.type === 'item'
            ? b.title.map((s) => ('text' in s ? s.text : `@${'id' in s ? s.id : ''}`)).join('')
            : b.type,
    );
  }

  it('says NO-GO in its first line when a criterion is not met, and names who can clear it', async () => {
    const lines = await announcementAfter('dan: /release confirm code-ready not-met "Build broken"');
    expect(lines[0]).toBe('NO-GO: November 2019 SEC Release must not go live 29 Nov 2019 09:00 (Europe/London).');
    expect(lines.join('\n')).toMatch(/FAILED .*code-ready|FAILED .*coding/i);
    expect(lines.join('\n')).toContain('@console:dan');
  });

  it('says GO (override) first, with the reason, who and when', async () => {
    const lines = await announcementAfter('pat: /release decide go --override "Window cannot move; owners confirm by phone"');
    expect(lines[0]).toMatch(/^GO \(override\): November 2019 SEC Release goes live 29 Nov 2019 09:00 \(Europe\/London\) although \d+ items block it\.$/);
    expect(lines[1]).toBe('Override: Window cannot move; owners confirm by phone · by @console:pat on 20 Nov 2019 10:00 GMT');
  });
});

describe('the evidence deadline rule', () => {
  it('follows the plan: a manager moving the evidence-deadline point moves what counts as late', async () => {
    const h = await harness('2019-11-01T10:00:00Z');
    await h.run(SETUP);
    expect(evidenceRuleOf((await h.store.get(R))!.release)).toEqual({ workingDaysBeforeMeeting: 2, time: '17:00' });
    const { output } = await h.run('/release schedule set evidence-deadline T-3 --time 12:00\n');
    expect(output).not.toMatch(/Not done|error/i);
    const release = (await h.store.get(R))!.release;
    expect(evidenceRuleOf(release)).toEqual({ workingDaysBeforeMeeting: 3, time: '12:00' });
    expect(lateEvidence(release).map((g) => g.deadline.toISOString())).toEqual(['2019-11-05T12:00:00.000Z', '2019-11-05T12:00:00.000Z']);
  });
});

describe('a quarantined release', () => {
  it('is never written by the schedule, and the others still run', async () => {
    const h = await harness('2019-11-01T10:00:00Z');
    await h.run(`${SETUP}/channel other\n/release create "Other" 2019-11-29 --id other\n`);
    await h.store.close();
    // Someone edits the stored state by hand: its record no longer matches; start-up quarantines it.
    const doc = await readDoc(h.dir, R);
    doc.release.name = 'Tampered';
    await writeDoc(h.dir, R, doc);
    const again = await harness('2019-11-01T10:05:00Z', h.dir);
    expect(await again.store.quarantine(R)).toBeDefined();
    const before = await fileBytes(h.dir, R);
    const scheduler = new Scheduler(again.store);
    expect(await scheduler.tick(new Date('2019-11-08T09:00:00Z'))).toMatchObject({ acted: ['other'] });
    expect(await fileBytes(h.dir, R)).toEqual(before);
  });
});

it('a tick over many releases lets requests in between them, as a first tick after start with nothing due', async () => {
  const h = await harness('2019-11-01T10:00:00Z');
  const count = 60;
  await h.run(Array.from({ length: count }, (_, i) => `/channel c${i}\n/release create "R${i}" 2019-11-29 --template software-release --id r${i}`).join('\n'));
  expect((await new Scheduler(h.store).tick(h.clock.now())).acted).toHaveLength(count);
  // A new scheduler (golive restarted) works out every release's next due instant, all from memory.
  const scheduler = new Scheduler(h.store);
  const { result: report, turns } = await turnsDuring(() => scheduler.tick(h.clock.now()));
  expect(report).toEqual({ acted: [], messages: 0 });
  expect(turns).toBeGreaterThanOrEqual(count / 25 - 1);
});

it('a first tick reads the releases a page at a time where the store can, and a later one only those whose head moved', async () => {
  const h = await harness('2019-11-01T10:00:00Z');
  const count = 130;
  await h.run(Array.from({ length: count }, (_, i) => `/channel c${i}\n/release create "R${i}" 2019-11-29 --template software-release --id r${i}`).join('\n'));
  expect((await new Scheduler(h.store).tick(h.clock.now())).acted).toHaveLength(count);
  const reads = { pages: [] as number[], one: 0 };
  const counted = Object.create(h.store) as typeof h.store;
  counted.sharedMany = (ids) => {
    reads.pages.push(ids.length);
    return h.store.sharedMany!(ids);
  };
  counted.get = (id) => {
    reads.one += 1;
    return h.store.get(id);
  };
  const scheduler = new Scheduler(counted);
  expect(await scheduler.tick(h.clock.now())).toEqual({ acted: [], messages: 0 });
  expect(reads).toEqual({ pages: [100, 30], one: 0 });
  await h.run('/channel c7\n/release role DCC dan');
  reads.pages = [];
  expect(await scheduler.tick(h.clock.now())).toEqual({ acted: [], messages: 0 });
  expect(reads).toEqual({ pages: [1], one: 0 });
});
