import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInZone } from '../src/domain/calendar.js';
import { verifyChain } from '../src/domain/audit.js';
import { SlackHarness, CHANNEL } from './support/slack-harness.js';

// The seed release driven by golive's own schedule from its creation to the day after its date,
// against the fake Slack Web API: what golive said, to whom and when, with nobody typing a command
// except the owners answering and the Panel deciding.
const RITA = 'URITA';
const DAN = 'UDAN';
const SAM = 'USAM';
const PAT = 'UPAT';
const R = 'nov-2019-sec';
const END = Date.parse('2019-12-02T23:59:00Z');

export interface Said {
  at: string;
  to: string;
  text: string;
}

export const SETUP = [
  'create "November 2019 SEC Release" 2019-11-29 --template sec-release --id nov-2019-sec',
  `role DCC <@${DAN}>`,
  `role SECAS <@${SAM}>`,
  `role Panel <@${PAT}>`,
  'group opsg members <@UOLIVIA> <@UOSCAR> --quorum 2 --meeting 2019-11-08',
  'group tag members <@UTARA> <@UTOM> --meeting 2019-11-08 --delegate <@UTESS> for <@UTARA>',
  'facts defects sev1=0 sev2=0 sev3=4 sev4=7 sev5=2 --plans yes',
  'facts issues 12 --threshold 30',
  'facts phase SIT closed',
  'facts phase UIT closed',
  'facts environment "Final stages of SIT completed in SIT A"',
  'switch SECMP0062 off',
];

export const ANSWERS: Array<[string, string]> = [
  [DAN, 'confirm code-ready met "Coding complete" --evidence https://example.org/nov-2019/code-complete'],
  [DAN, 'confirm test-phases-closed met "SIT and UIT completion reports accepted" --evidence https://example.org/nov-2019/sit-completion'],
  [DAN, 'confirm no-sev1-sev2 met "No Severity 1 or 2 defects outstanding" --evidence https://example.org/nov-2019/defect-log'],
  [DAN, 'confirm defect-plans met "Resolution plans for all Severity 3-5 defects" --evidence https://example.org/nov-2019/resolution-plans'],
  [DAN, 'confirm environments-aligned met "SIT A aligned to production" --evidence https://example.org/nov-2019/environments'],
  [DAN, 'confirm ops-ready met "ELS and BAU teams in place" --evidence https://example.org/nov-2019/operational-readiness'],
  [SAM, 'confirm secas-ready met "SECAS ready" --evidence https://example.org/nov-2019/secas-readiness'],
  [RITA, `risk add "SECMP0062 may be deployed ON without approval" --owner <@${DAN}>`],
  [RITA, 'risk mitigate 1 "Release notes reviewed on every release"'],
  ['UOLIVIA', 'signoff opsg agree "Ready to be set live"'],
  ['UOSCAR', 'signoff opsg agree'],
  ['UTESS', `signoff tag agree "Acceptable standard" --for <@UTARA>`],
  [RITA, 'risk accept 1 --conditions "Check added to the Release Management checklist; switch alerts monitored by the TOC"'],
  [PAT, 'decide go "AGREE the release can be set live on 29 November 2019"'],
];

/** Every chat.postMessage golive made since call number `from`, with the clock it was made at. */
export function saidSince(h: SlackHarness, from: number, at: string): Said[] {
  return h.fake.calls
    .slice(from)
    .filter((c) => c.method === 'chat.postMessage' && !c.failed)
    .map((c) => ({ at, to: String(c.body.channel), text: JSON.stringify(c.body.blocks ?? c.body.text) }));
}

/** Ticks at each instant something is due, up to `end`, running `before(at)` first; returns what was said. */
export async function driveSchedule(h: SlackHarness, end: number, before: (next: Date) => Promise<void> = async () => undefined): Promise<Said[]> {
  const said: Said[] = [];
  let last = 0;
  for (;;) {
    const next = await h.serving.scheduler.nextDueOverall();
    if (!next || next.getTime() > end) return said;
    // A due instant that does not move on after its tick would loop forever: that is a defect.
    if (next.getTime() === last) throw new Error(`the schedule did not move past ${next.toISOString()}: ${h.logs.join('; ')}`);
    last = next.getTime();
    await before(next);
    // Never back in time: the commands just typed moved the clock past the kickoff's instant.
    const now = h.clock.now();
    const at = new Date(Math.max(now.getTime(), next.getTime())).toISOString();
    h.clock.set(at);
    const from = h.fake.calls.length;
    await h.serving.tick();
    said.push(...saidSince(h, from, at));
  }
}

const london = (at: string) => formatInZone(new Date(at), 'Europe/London', 'EEE yyyy-MM-dd HH:mm');
const header = (s: Said) => /"type":"header","text":\{"type":"plain_text","text":"([^"]*)"/.exec(s.text)?.[1] ?? '';
const isReminder = (s: Said) => header(s).startsWith('Reminder:');

describe('golive speaks first: the seed release from creation to the day after, through Slack', () => {
  let h: SlackHarness;
  let said: Said[] = [];
  beforeAll(async () => {
    h = await SlackHarness.open('2019-11-01T10:00:00Z', undefined, {}, { schedule: true });
    for (const line of SETUP) expect((await h.command(RITA, line)).status, line).toBe(200);
    let answered = false;
    said = await driveSchedule(h, END, async (next) => {
      // The owners answer on 27 Nov (after the 6 Nov evidence deadline: late, and after the T-3
      // escalation) and the Panel decides, before the T-1 announcement.
      if (!answered && next.getTime() > Date.parse('2019-11-27T12:00:00Z')) {
        answered = true;
        h.clock.set('2019-11-27T12:00:00Z');
        for (const [who, line] of ANSWERS) expect((await h.command(who, line)).status, line).toBe(200);
      }
    });
  }, 60_000);
  afterAll(() => h.close());

  it('kicks off at creation: the checklist in the channel, and each owner told what is theirs', () => {
    const kickoff = said.filter((s) => s.at.startsWith('2019-11-01'));
    expect(kickoff.map((s) => s.to).sort()).toEqual([CHANNEL, DAN, SAM].sort());
    expect(header(kickoff.find((s) => s.to === CHANNEL)!)).toContain('Go-live checklist');
    const dan = kickoff.find((s) => s.to === DAN)!;
    expect(header(dan)).toBe('November 2019 SEC Release: what is yours');
    expect(dan.text).toContain('6 criteria are yours to answer');
    expect(dan.text).not.toContain('secas-ready');
    expect(kickoff.find((s) => s.to === SAM)!.text).toContain('secas-ready');
  });

  it('reminds the owners at 09:00 London time on working days only, one message each, until they answer', () => {
    const reminders = said.filter(isReminder);
    for (const r of reminders) {
      expect(london(r.at)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) \S+ 09:00$/);
      expect([DAN, SAM]).toContain(r.to);
    }
    const days = [...new Set(reminders.map((r) => london(r.at)))];
    // Evidence reminder (meeting-3), T-15, T-10, T-5, then every day from T-4 until they answered on 27 Nov.
    expect(days).toEqual(['Tue 2019-11-05 09:00', 'Fri 2019-11-08 09:00', 'Fri 2019-11-15 09:00', 'Fri 2019-11-22 09:00', 'Mon 2019-11-25 09:00', 'Tue 2019-11-26 09:00', 'Wed 2019-11-27 09:00']);
    for (const day of days)
      expect(
        reminders
          .filter((r) => london(r.at) === day)
          .map((r) => r.to)
          .sort(),
      ).toEqual([DAN, SAM]);
    expect(reminders.find((r) => r.at.startsWith('2019-11-05') && r.to === DAN)!.text).toContain('The evidence for OPSG is due 6 Nov 2019 17:00 GMT');
    expect(said.some((s) => /^(Sat|Sun)/.test(london(s.at)))).toBe(false);
  });

  it('announces each evidence deadline on 6 Nov 17:00 GMT, naming what is still missing and who owes it', () => {
    const deadlines = said.filter((s) => header(s).startsWith('Evidence deadline'));
    expect(deadlines.map((s) => [s.at, s.to, header(s)])).toEqual([
      ['2019-11-06T17:00:00.000Z', CHANNEL, 'Evidence deadline for OPSG: November 2019 SEC Release'],
      ['2019-11-06T17:00:00.000Z', CHANNEL, 'Evidence deadline for TAG: November 2019 SEC Release'],
    ]);
    expect(deadlines[0]!.text).toContain('Still missing (7)');
    expect(deadlines[0]!.text).toContain(`<@${SAM}>`);
  });

  it('escalates to the managers at T-3 with every open blocker and who can clear it', () => {
    const escalations = said.filter((s) => header(s).startsWith('Escalation'));
    expect(escalations.map((s) => [s.at, s.to])).toEqual([['2019-11-26T09:00:00.000Z', RITA]]);
    expect(escalations[0]!.text).toContain('items still block go-live');
    expect(escalations[0]!.text).toContain(`<@${DAN}>`);
  });

  it('announces GO on 28 Nov 2019 10:00 GMT, verdict first, with the risk, switches, facts, decision, late evidence, record head and the paper', async () => {
    const announcements = said.filter((s) => s.at === '2019-11-28T10:00:00.000Z');
    expect(announcements.map((s) => s.to)).toEqual([CHANNEL]);
    const a = announcements[0]!;
    expect(header(a)).toBe('GO: November 2019 SEC Release is cleared to go live 29 Nov 2019 09:00 (Europe/London).');
    expect(a.text).toContain('Nothing blocks go-live');
    expect(a.text).toContain('Conditions: Check added to the Release Management checklist');
    expect(a.text).toContain('SECMP0062');
    expect(a.text).toContain(`<@${PAT}>`);
    expect(a.text).toContain('Late evidence');
    expect(a.text).toContain('*OPSG:* after its deadline 6 Nov 2019 17:00 GMT: 1. code-ready (27 Nov 2019 12:00 GMT)');
    expect(a.text).toContain('Residual risks (1 accepted)');
    expect(a.text).toContain('2 of 2 agreed');
    expect(a.text).toContain('/release report');
    const tick = (await h.doc(R)).audit.find((e) => e.at === '2019-11-28T10:00:00.000Z')!;
    expect(tick.actor).toEqual({ id: 'golive:golive', platform: 'golive' });
    expect(a.text).toContain(`Audit record: entry ${tick.seq}, head \`${tick.hash.slice(0, 12)}\``);
  });

  it('announces go-live on the day and asks the managers for the outcome after it', () => {
    const day = said.filter((s) => s.at.startsWith('2019-11-29'));
    expect(day.map((s) => [s.at, s.to, header(s)])).toEqual([['2019-11-29T09:00:00.000Z', CHANNEL, 'GO: November 2019 SEC Release goes live now']]);
    const ask = said.filter((s) => header(s).startsWith('How did'));
    expect(ask.map((s) => [s.at, s.to])).toEqual([['2019-12-02T09:00:00.000Z', RITA]]);
    expect(ask[0]!.text).toContain('close went-live|rolled-back|cancelled');
  });

  it('wrote one sealed audit entry per tick that acted, saying what it sent, and the record verifies after reopening', async () => {
    const entries = (await h.doc(R)).audit.filter((e) => e.actor.platform === 'golive');
    const instants = [...new Set(said.map((s) => s.at))];
    expect(entries.map((e) => e.at)).toEqual(expect.arrayContaining(instants));
    expect(new Set(entries.map((e) => e.at)).size).toBe(entries.length);
    expect(entries.find((e) => e.at === '2019-11-28T10:00:00.000Z')!.command).toBe('(schedule) go-no-go go-no-go due 28 Nov 2019 10:00 GMT sent to 1 channel');
    expect(entries.find((e) => e.at === '2019-11-28T09:00:00.000Z')!.command).toContain('dropped: remind-daily due 28 Nov 2019 09:00 GMT (answered)');
    expect(verifyChain((await h.doc(R)).audit)).toMatchObject({ ok: true });
    await h.close(false);
    h = await SlackHarness.open('2019-12-03T09:00:00Z', h.dir, {}, { schedule: true });
    expect(await h.store.quarantine(R)).toBeUndefined();
    // Nothing left to say: the restart sends nothing again.
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('a release dated across Christmas 2019', () => {
  it('reminds nobody on the bank holidays or the weekends around them', async () => {
    const h = await SlackHarness.open('2019-12-02T10:00:00Z', undefined, {}, { schedule: true });
    try {
      for (const line of [`create "Christmas release" 2019-12-31 --template sec-release --id xmas`, `role DCC <@${DAN}>`, `role SECAS <@${SAM}>`]) {
        expect((await h.command(RITA, line, 'C0XMAS')).status, line).toBe(200);
      }
      const said = await driveSchedule(h, Date.parse('2020-01-02T00:00:00Z'));
      const days = [...new Set(said.filter(isReminder).map((r) => london(r.at)))];
      expect(days).toEqual(['Fri 2019-12-06 09:00', 'Fri 2019-12-13 09:00', 'Fri 2019-12-20 09:00', 'Mon 2019-12-23 09:00', 'Tue 2019-12-24 09:00', 'Fri 2019-12-27 09:00', 'Mon 2019-12-30 09:00']);
      expect(said.some((s) => /2019-12-2[5689]/.test(london(s.at)))).toBe(false);
      expect(said.filter((s) => header(s).startsWith('NOT READY')).map((s) => s.at)).toEqual(['2019-12-30T10:00:00.000Z']);
      expect(said.filter((s) => header(s).startsWith('NO-GO')).map((s) => s.at)).toEqual(['2019-12-31T09:00:00.000Z']);
    } finally {
      await h.close();
    }
  });
});

describe('a release dated across the spring clock change and Easter 2026', () => {
  it('reminds at 09:00 London time before and after the clocks go forward, and never on Good Friday, Easter Monday or a weekend', async () => {
    const h = await SlackHarness.open('2026-03-09T10:00:00Z', undefined, {}, { schedule: true });
    try {
      // 8 Apr 2026: T-15 and T-10 fall before the 29 Mar clock change, T-5 and the daily reminders
      // after it, with Good Friday (3 Apr) and Easter Monday (6 Apr) stepped over.
      for (const line of [`create "Easter release" 2026-04-08 --template sec-release --id easter`, `role DCC <@${DAN}>`, `role SECAS <@${SAM}>`]) {
        expect((await h.command(RITA, line, 'C0EASTER')).status, line).toBe(200);
      }
      const said = await driveSchedule(h, Date.parse('2026-04-09T00:00:00Z'));
      const reminders = said.filter(isReminder);
      const days = [...new Set(reminders.map((r) => london(r.at)))];
      expect(days).toEqual(['Mon 2026-03-16 09:00', 'Mon 2026-03-23 09:00', 'Mon 2026-03-30 09:00', 'Tue 2026-03-31 09:00', 'Wed 2026-04-01 09:00', 'Thu 2026-04-02 09:00', 'Tue 2026-04-07 09:00']);
      // 09:00 in London is 09:00 UTC before the change and 08:00 UTC after it.
      expect([...new Set(reminders.map((r) => r.at))]).toEqual([
        '2026-03-16T09:00:00.000Z',
        '2026-03-23T09:00:00.000Z',
        '2026-03-30T08:00:00.000Z',
        '2026-03-31T08:00:00.000Z',
        '2026-04-01T08:00:00.000Z',
        '2026-04-02T08:00:00.000Z',
        '2026-04-07T08:00:00.000Z',
      ]);
      expect(said.some((s) => /^(Sat|Sun) |2026-04-0[36]/.test(london(s.at)))).toBe(false);
      expect(said.filter((s) => header(s).startsWith('NOT READY')).map((s) => s.at)).toEqual(['2026-04-07T09:00:00.000Z']);
    } finally {
      await h.close();
    }
  });
});

describe('Slack failing for an hour when the go/no-go falls due', () => {
  it('gets every message to Slack once after it recovers', async () => {
    const h = await SlackHarness.open('2019-11-01T10:00:00Z', undefined, {}, { schedule: true });
    try {
      for (const line of SETUP) expect((await h.command(RITA, line)).status, line).toBe(200);
      await driveSchedule(h, Date.parse('2019-11-27T23:00:00Z'));
      // From 28 Nov 09:00 to 10:00 Slack answers 500 to every post; golive ticks every 30 s.
      h.fake.failNext('chat.postMessage', { status: 500 }, 10_000);
      const down = Date.parse('2019-11-28T09:00:00Z');
      for (let at = down; at <= down + 3_600_000; at += 30_000) {
        h.clock.set(new Date(at).toISOString());
        await h.serving.tick();
      }
      const failed = h.fake.callsTo('chat.postMessage').filter((c) => c.failed).length;
      expect(failed).toBeGreaterThan(2);
      expect(h.fake.callsTo('chat.postMessage').filter((c) => !c.failed && /2019-11-28/.test(String(c.body.text)))).toHaveLength(0);
      const pending = (await h.doc(R)).outbox.filter((m) => m.status === 'pending').map((m) => m.kind);
      expect(pending.sort()).toEqual(['go-no-go', 'reminder', 'reminder']);
      // Slack is back at 10:00:30: the next ticks deliver each message once.
      h.fake.reset();
      for (let at = down + 3_630_000; at < down + 2 * 3_600_000; at += 30_000) {
        h.clock.set(new Date(at).toISOString());
        await h.serving.tick();
      }
      const posts = h.fake.callsTo('chat.postMessage');
      expect(posts.map((c) => c.body.channel).sort()).toEqual([CHANNEL, DAN, SAM].sort());
      expect((await h.doc(R)).outbox.filter((m) => m.id.startsWith('sched:') && m.status !== 'sent')).toEqual([]);
      expect(JSON.stringify(posts.find((c) => c.body.channel === CHANNEL)!.body.blocks)).toContain('NOT READY (PENDING)');
    } finally {
      await h.close();
    }
  });
});

describe('golive started after downtime', () => {
  it('sends what fell due while it was down once at start, marked late', async () => {
    const first = await SlackHarness.open('2019-11-01T10:00:00Z', undefined, {}, { schedule: true });
    for (const line of SETUP) expect((await first.command(RITA, line)).status, line).toBe(200);
    await first.close(false);
    // Down from 1 Nov 10:01 until 6 Nov 18:00: the kickoff, the 5 Nov evidence reminders and the 6 Nov deadlines fell due.
    const h = await SlackHarness.open('2019-11-06T18:00:00Z', first.dir, {}, { schedule: true });
    try {
      await h.settled();
      const said = saidSince(h, 0, '2019-11-06T18:00:00Z');
      expect(said.map((s) => `${s.to} ${header(s)}`).sort()).toEqual(
        [
          `${CHANNEL} Go-live checklist: November 2019 SEC Release: PENDING`,
          `${CHANNEL} Evidence deadline for OPSG: November 2019 SEC Release`,
          `${CHANNEL} Evidence deadline for TAG: November 2019 SEC Release`,
          `${DAN} November 2019 SEC Release: what is yours`,
          `${SAM} November 2019 SEC Release: what is yours`,
          `${DAN} Reminder: November 2019 SEC Release`,
          `${SAM} Reminder: November 2019 SEC Release`,
        ].sort(),
      );
      for (const s of said.filter((x) => !header(x).startsWith('Go-live checklist'))) expect(s.text).toContain('(late: due ');
      // Started again at once: nothing is sent twice.
      await h.close(false);
      const again = await SlackHarness.open('2019-11-06T18:05:00Z', first.dir, {}, { schedule: true });
      await again.settled();
      expect(again.fake.callsTo('chat.postMessage')).toHaveLength(0);
      await again.close();
    } finally {
      await h.close().catch(() => undefined);
    }
  });
});
