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
    const next = h.serving.scheduler.nextDueOverall();
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

describe('golive speaks first: the seed release from creation to the day after, through Slack', () => {
  let h: SlackHarness;
  let said: Said[] = [];
  beforeAll(async () => {
    h = await SlackHarness.open('2019-11-01T10:00:00Z', undefined, {}, { schedule: true });
    for (const line of SETUP) expect((await h.command(RITA, line)).status, line).toBe(200);
    let answered = false;
    said = await driveSchedule(h, END, async (next) => {
      // The owners answer on 20 Nov (after the 6 Nov evidence deadline: late) and the Panel decides.
      if (!answered && next.getTime() > Date.parse('2019-11-20T12:00:00Z')) {
        answered = true;
        h.clock.set('2019-11-20T12:00:00Z');
        for (const [who, line] of ANSWERS) expect((await h.command(who, line)).status, line).toBe(200);
      }
    });
  }, 60_000);
  afterAll(() => h.close());

  it('prints the schedule', () => {
    for (const s of said) console.log(london(s.at), s.to, s.text.slice(0, 160));
  });
});
