import { readFileSync } from 'node:fs';

// The console scripts the seeded store's releases are made from: one per variant, each a release's
// life as its people would type it (roles, facts, answers with their comments, sign-offs, risks,
// switches, decisions, a moved date, the outcome), with the rehearsal clock moving from day to day
// so every entry carries a plausible time. Pure text: seed-variants.ts runs them through the app.

export type TemplateId = 'sec-release' | 'software-release';

export interface VariantSpec {
  /** Picks the people, the choices and the dates; the same key always gives the same script. */
  key: number;
  template: TemplateId;
  /** Gone live (or rolled back) months ago, or still being answered with its date ahead. */
  when: 'past' | 'upcoming';
}

export interface VariantScript {
  spec: VariantSpec;
  /** What the release is called in the script (copies get their own names). */
  name: string;
  /** The rehearsal clock's first reading. */
  start: Date;
  script: string;
  /** What the finished record must show, checked after the script ran: a script that went wrong is caught. */
  expect: { decided: boolean; closed: boolean; answered: number };
}

const DAY = 86_400_000;
const PRODUCTS = ['Payments API', 'Customer Portal', 'Meter Data Hub', 'Billing Engine', 'Identity Service', 'Search Index', 'Mobile App', 'Reporting Suite', 'Smart Metering DSP', 'Network Gateway'];

/** Deterministic choices (mulberry32): a seeded store is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Both templates' bank holidays: an implementation date must be a working day of its calendar.
const HOLIDAYS = new Set(
  ['sec-release', 'software-release'].flatMap((t) => [...readFileSync(new URL(`../templates/${t}.yaml`, import.meta.url), 'utf8').matchAll(/^\s*- "(\d{4}-\d{2}-\d{2})"/gm)].map((m) => m[1]!)),
);

const isoDate = (at: number) => new Date(at).toISOString().slice(0, 10);
// Seven minutes past: a /clock target exactly on a scheduled point (09:00, 10:00) makes the console's
// stepping throw "the clock only moves forward" (the point runs there, real time moves on, then the
// clock is set to the same target again).
const clock = (at: number) => `/clock ${new Date(at + 7 * 60_000).toISOString().slice(0, 16)}`;

/** The first working day at or after `at` (midnight UTC), away from the Christmas weeks. */
function workingDay(at: number): number {
  let day = Math.floor(at / DAY) * DAY;
  for (;;) {
    const d = new Date(day);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const christmas = (d.getUTCMonth() === 11 && d.getUTCDate() >= 18) || (d.getUTCMonth() === 0 && d.getUTCDate() <= 4);
    if (!weekend && !christmas && !HOLIDAYS.has(isoDate(day))) return day;
    day += DAY;
  }
}

interface Cast {
  manager: string;
  approver: string;
  /** role -> the person holding it */
  roles: Record<string, string>;
  /** criterion id -> the role that answers it */
  criteria: Array<[string, string]>;
  groups: Array<{ id: string; members: string[]; quorum: number }>;
  switchKey: string;
}

function castOf(spec: VariantSpec): Cast {
  const k = spec.key;
  if (spec.template === 'sec-release') {
    return {
      manager: `rita${k % 3}`,
      approver: `pat${k % 2}`,
      roles: { DCC: `dan${k % 5}`, SECAS: `sam${k % 4}` },
      criteria: [
        ['code-ready', 'DCC'],
        ['test-phases-closed', 'DCC'],
        ['no-sev1-sev2', 'DCC'],
        ['defect-plans', 'DCC'],
        ['environments-aligned', 'DCC'],
        ['ops-ready', 'DCC'],
        ['secas-ready', 'SECAS'],
      ],
      groups: [
        { id: 'opsg', members: [`olivia${k % 3}`, `oscar${k % 2}`], quorum: 2 },
        { id: 'tag', members: [`tara${k % 2}`, `tom${k % 3}`], quorum: 1 },
      ],
      switchKey: 'SECMP0062',
    };
  }
  return {
    manager: `mia${k % 3}`,
    approver: `mia${k % 3}`,
    roles: { Engineering: `eve${k % 4}`, QA: `quinn${k % 3}`, Product: `paula${k % 2}` },
    criteria: [
      ['code-frozen', 'Engineering'],
      ['tests-passed', 'QA'],
      ['no-blockers', 'QA'],
      ['release-notes', 'Product'],
    ],
    groups: [{ id: 'cab', members: [`carl${k % 2}`, `cara${k % 3}`, `cole${k % 2}`], quorum: 2 }],
    switchKey: `FEATURE_${PRODUCTS[k % PRODUCTS.length]!.toUpperCase().replace(/[^A-Z]+/g, '_')}`,
  };
}

/** One release's life as a script, ending at or before `now` (the seeding's wall-clock time). */
export function variantScript(spec: VariantSpec, now: Date): VariantScript {
  const rnd = random(spec.key * 7919 + (spec.template === 'sec-release' ? 1 : 2));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const cast = castOf(spec);
  const product = PRODUCTS[spec.key % PRODUCTS.length]!;
  const name = `${product} ${spec.when === 'past' ? '2025' : '2027'}.${(spec.key % 4) + 1}`;
  const endAt = now.getTime() - 15 * 60_000;
  const created = spec.when === 'past' ? endAt - (90 + Math.floor(rnd() * 240)) * DAY : endAt - (14 + Math.floor(rnd() * 14)) * DAY;
  const start = Math.floor(created / DAY) * DAY + 9 * 3_600_000;
  let implementation = workingDay(spec.when === 'past' ? start + (24 + Math.floor(rnd() * 14)) * DAY : endAt + (12 + Math.floor(rnd() * 40)) * DAY);
  const lines: string[] = [`# ${spec.template}, ${spec.when}, variant ${spec.key}`];
  const say = (...more: string[]) => lines.push(...more);
  const as = (person: string) => say(`/as ${person}`);

  // Day 0: the release is set up.
  as(cast.manager);
  say(`/release create "${name}" ${isoDate(implementation)} --template ${spec.template} --id v${spec.key}`);
  for (const [role, person] of Object.entries(cast.roles)) say(`/release role ${role} ${person}`);
  say(`/release role ${spec.template === 'sec-release' ? 'Panel' : 'ReleaseManager'} ${cast.approver}`);
  const meeting = workingDay(spec.when === 'past' ? implementation - 12 * DAY : Math.min(implementation - 8 * DAY, endAt - 2 * DAY));
  const reviewed = spec.when === 'past' || rnd() < 0.5;
  for (const group of cast.groups) say(`/release group ${group.id} members ${group.members.join(' ')} --quorum ${group.quorum} --meeting ${isoDate(meeting)}`);
  if (spec.template === 'software-release') say(`/release switch add ${cast.switchKey} --expect off "Dark launch of the new ${product} flow, off until the CAB agrees"`);
  say(`/release switch ${cast.switchKey} off --source "release notes review"`);
  if (rnd() < 0.4) say(`/release manager add ${cast.roles[Object.keys(cast.roles)[0]!]}`);

  // Day 1: the facts as testing reports them; the upcoming ones still have work outstanding.
  let at = start + DAY + 2 * 3_600_000;
  say(clock(at));
  const clean = spec.when === 'past' || rnd() < 0.5;
  const sev2 = clean ? 0 : 1 + Math.floor(rnd() * 3);
  say(`/release facts defects sev1=0 sev2=${sev2} sev3=${Math.floor(rnd() * 9)} sev4=${Math.floor(rnd() * 12)} sev5=${Math.floor(rnd() * 4)} --plans ${clean ? 'yes' : pick(['yes', 'no'])}`);
  const threshold = 20 + Math.floor(rnd() * 20);
  say(`/release facts issues ${clean ? Math.floor(threshold / 2) : threshold + 3} --threshold ${threshold}`);
  say('/release facts phase SIT closed');
  say(`/release facts phase UIT ${clean ? 'closed' : 'open'}`);
  if (spec.template === 'sec-release') say(`/release facts environment "SIT ${pick(['A', 'B'])} aligned with production; differences logged and managed"`);

  // Days 2 to 6: the owners answer, some first asking for more information or saying not yet.
  let answered = 0;
  for (const [index, [criterion, role]] of cast.criteria.entries()) {
    at += Math.floor(rnd() * 20) * 3_600_000 + 3_600_000;
    say(clock(at));
    as(cast.roles[role]!);
    const final = spec.when === 'past' ? 'met' : pick(['met', 'met', 'met', 'need-info', 'not-met', 'none']);
    if (final === 'none') continue;
    if (spec.when === 'past' && rnd() < 0.3) {
      say(`/release confirm ${criterion} need-info "Waiting for the ${pick(['completion report', 'sign-off from the supplier', 'final test run'])} before confirming"`);
      at += 6 * 3_600_000;
      say(clock(at));
    }
    if (final === 'met')
      say(
        `/release confirm ${criterion} met "Done for ${name}; see the evidence" --evidence https://example.org/${spec.key}/${criterion} ${index % 2 ? `--evidence https://example.org/${spec.key}/${criterion}/report` : ''}`.trim(),
      );
    else if (final === 'need-info') say(`/release confirm ${criterion} need-info "Which environment was the ${pick(['regression', 'performance', 'security'])} run on?"`);
    else say(`/release confirm ${criterion} not-met "${pick(['Two defects still open against this', 'The run failed overnight; rerun booked', 'Supplier has not delivered the fix'])}"`);
    answered += 1;
  }

  // A risk on the register for most releases, mitigated and, once reviewed, accepted or closed.
  as(cast.manager);
  const risks = spec.when === 'past' ? 1 + Math.floor(rnd() * 2) : Math.floor(rnd() * 3);
  for (let r = 1; r <= risks; r++) {
    say(
      `/release risk add "There is a risk that ${pick(['the rollback takes longer than the window', 'the switch is turned on without approval', 'support is not briefed in time', 'a supplier fix slips'])}" --owner ${cast.roles[cast.criteria[0]![1]]}`,
    );
    say(
      `/release risk mitigate ${r} "${pick(['Rollback rehearsed in pre-production', 'Release notes reviewed for switch settings', 'Briefing booked with the service desk', 'Fallback build kept ready'])}"`,
    );
  }
  // A switch turned on by mistake (golive alerts and holds NO-GO), turned back off in most cases.
  if (rnd() < 0.35) {
    say(`/release switch ${cast.switchKey} on --source "deployment pipeline"`);
    if (spec.when === 'past' || rnd() < 0.5) say(`/release switch ${cast.switchKey} off --source "turned back off by the release team"`);
  }

  // The review groups meet and sign off.
  let decided = false;
  if (reviewed && meeting + 10 * 3_600_000 > at && meeting + 10 * 3_600_000 < endAt) {
    at = meeting + 10 * 3_600_000;
    say(clock(at));
    for (let r = 1; r <= risks; r++)
      say(`/release risk view ${r} ${cast.groups[0]!.id} "${pick(['Acceptable with the mitigations', 'Accept, subject to the runbook check', 'Low likelihood; accept'])}"`);
    for (let r = 1; r <= risks; r++)
      say(r === 1 && rnd() < 0.5 ? `/release risk accept ${r} --conditions "Check added to the runbook"` : r === 1 ? `/release risk accept ${r}` : `/release risk close ${r}`);
    for (const group of cast.groups) {
      for (const member of group.members.slice(0, spec.when === 'past' ? group.quorum : 1)) {
        as(member);
        say(`/release signoff ${group.id} agree${rnd() < 0.5 ? ` "${pick(['Criteria met; ready to go', 'Agreed at the meeting', 'No objection'])}"` : ''}`);
      }
    }
    if (spec.when === 'past') {
      at += 2 * DAY;
      say(clock(at));
      as(cast.approver);
      say(`/release decide go "${pick(['Go, as the groups agreed', 'AGREE the release can be set live', 'Go'])}"`);
      decided = true;
    }
  }

  // Past releases: some find a late defect and move their date; each ends with its outcome.
  let closed = false;
  if (spec.when === 'past') {
    if (rnd() < 0.3) {
      at = Math.max(at + 3_600_000, implementation - 2 * DAY + 14 * 3_600_000);
      say(clock(at));
      as(cast.manager);
      say('/release facts defects sev2=1');
      implementation = workingDay(implementation + 7 * DAY);
      say(`/release date ${isoDate(implementation)} "A Severity 2 defect was found in regression testing"`);
      at += DAY;
      say(clock(at));
      say('/release facts defects sev2=0');
      // A moved date makes every answer and sign-off stale: each is given again for the new date.
      for (const [criterion, role] of cast.criteria) {
        as(cast.roles[role]!);
        say(`/release confirm ${criterion} met "Confirmed again for ${isoDate(implementation)}: the defect is fixed and retested" --evidence https://example.org/${spec.key}/${criterion}/retest`);
      }
      for (const group of cast.groups) {
        for (const member of group.members.slice(0, group.quorum)) {
          as(member);
          say(`/release signoff ${group.id} agree "Agreed again for the new date"`);
        }
      }
      as(cast.approver);
      say('/release decide go "Go on the new date, the defect fixed and retested"');
    }
    at = Math.max(at + 3_600_000, implementation + DAY + 11 * 3_600_000);
    say(clock(at));
    as(cast.manager);
    say(rnd() < 0.85 ? '/release close went-live "Deployed in the window; smoke tests passed"' : '/release close rolled-back "Rolled back after the smoke tests failed; a new release will follow"');
    closed = true;
  }
  say(clock(Math.max(at + 60_000, endAt)));
  return { spec, name, start: new Date(start), script: `${lines.join('\n')}\n`, expect: { decided, closed, answered } };
}
