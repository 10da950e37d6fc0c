// The seed scenario (the November 2019 SEC Release) written once, as platform-neutral steps that a
// driver replays through the console, through signed Slack requests or through Teams activities.
// People are named by a short name; each driver maps them to its platform's people, and `@name`
// in a line to its platform's mention.

export type Person = 'rita' | 'dan' | 'sam' | 'pat' | 'olivia' | 'oscar' | 'tara' | 'tom' | 'tess';

export const PEOPLE: readonly Person[] = ['rita', 'dan', 'sam', 'pat', 'olivia', 'oscar', 'tara', 'tom', 'tess'];

export type Step =
  /** The rehearsal clock moves on to the day things happened (UTC). */
  | { clock: string }
  /** A command, written as after `/release ` (or `release ` in Teams), typed in the release's channel. */
  | { as: Person; say: string }
  /** An owner's answer: a button and its form where the platform has them, a typed confirm where not. */
  | { as: Person; answer: { criterion: string; kind: 'met' | 'not-met' | 'need-info'; comment: string; evidence: string[] } }
  /** A sign-off button (a note needs typing, so those are `say` steps). */
  | { as: Person; signoff: { group: string; verdict: 'agree' | 'disagree' } };

export const RELEASE = 'nov-2019-sec';
export const START = '2019-11-04T09:00:00Z';

const dcc = (criterion: string, comment: string, ...evidence: string[]): Step => ({ as: 'dan', answer: { criterion, kind: 'met', comment, evidence } });

export const SEED_STEPS: readonly Step[] = [
  { as: 'rita', say: `create "November 2019 SEC Release" 2019-11-29 --template sec-release --id ${RELEASE}` },
  { as: 'rita', say: 'role DCC @dan' },
  { as: 'rita', say: 'role SECAS @sam' },
  { as: 'rita', say: 'role Panel @pat' },
  { as: 'rita', say: 'group opsg members @olivia @oscar --quorum 2 --meeting 2019-11-08' },
  { as: 'rita', say: 'group tag members @tara @tom --quorum 1 --meeting 2019-11-08 --delegate @tess for @tara' },
  { as: 'rita', say: 'facts defects sev1=0 sev2=0 sev3=4 sev4=7 sev5=2 --plans yes' },
  { as: 'rita', say: 'facts issues 12 --threshold 30' },
  { as: 'rita', say: 'facts phase SIT closed' },
  { as: 'rita', say: 'facts phase UIT closed' },
  { as: 'rita', say: 'facts environment "Final stages of SIT completed in SIT A, the environment most closely aligned with production"' },
  { as: 'rita', say: 'switch SECMP0062 off --source "release notes review"' },
  { as: 'rita', say: 'ask' },

  { clock: '2019-11-05T10:00:00Z' },
  dcc('code-ready', 'Coding complete for each approved change; deployable on 29 Nov', 'https://example.org/nov-2019/code-complete'),
  dcc('test-phases-closed', 'SIT and UIT completion reports accepted', 'https://example.org/nov-2019/sit-completion', 'https://example.org/nov-2019/uit-completion'),
  dcc('no-sev1-sev2', 'No Severity 1 or 2 defects outstanding', 'https://example.org/nov-2019/defect-log'),
  dcc('defect-plans', 'Resolution plans for all Severity 3-5 defects; testing issues within threshold', 'https://example.org/nov-2019/resolution-plans'),
  dcc('environments-aligned', 'SIT A aligned to production; differences managed', 'https://example.org/nov-2019/environments'),
  dcc('ops-ready', 'ELS and BAU teams in place; TOC monitoring', 'https://example.org/nov-2019/operational-readiness'),

  { clock: '2019-11-07T11:00:00Z' },
  { as: 'sam', answer: { criterion: 'secas-ready', kind: 'met', comment: 'SECAS ready to implement the SEC changes on 29 Nov', evidence: ['https://example.org/nov-2019/secas-readiness'] } },
  { as: 'rita', say: 'risk add "There is a risk that SECMP0062 will be deployed ON in a future release without being approved by the SEC Panel" --owner @dan' },
  { as: 'rita', say: 'risk mitigate 1 "The DCC Transition Team will review release notes on all releases until SECMP0062 goes live, to ensure the feature switches are OFF"' },
  { as: 'rita', say: 'risk mitigate 1 "The DCC SEC Release Team is tracking SECMP0062 and will build it into a future SEC Release with Change Board and Panel approval"' },
  { as: 'rita', say: 'risk mitigate 1 "The SECMP0062 feature switches can only be turned on as part of a build in a future release"' },

  { clock: '2019-11-08T10:00:00Z' },
  {
    as: 'rita',
    say: 'risk view 1 opsg "Accepted subject to the check being added to the Release Management checklist and Runbook, enforced by Change Management; an alert fires when a switch changes"',
  },
  { as: 'olivia', say: 'signoff opsg agree "The go-live criteria have been met; ready to be set live"' },
  { as: 'oscar', signoff: { group: 'opsg', verdict: 'agree' } },
  { as: 'tess', signoff: { group: 'tag', verdict: 'agree' } },
  { as: 'rita', say: 'risk accept 1 --conditions "Check added to the Release Management checklist and Runbook; switch alerts monitored by the TOC"' },

  { clock: '2019-11-15T10:00:00Z' },
  { as: 'pat', say: 'decide go "NOTE the views of OPSG and TAG; AGREE the release can be set live on 29 November 2019"' },
];

/**
 * Each step with the moment it happens: a clock step sets the day, and the steps after it follow
 * twenty seconds apart, so every platform records every step at the same second whatever else
 * reads the clock in between.
 */
export function timed(steps: readonly Step[]): Array<{ step: Exclude<Step, { clock: string }>; at: string }> {
  let base = Date.parse(START);
  let n = 0;
  const out: Array<{ step: Exclude<Step, { clock: string }>; at: string }> = [];
  for (const step of steps) {
    if ('clock' in step) {
      base = Date.parse(step.clock);
      n = 0;
      continue;
    }
    out.push({ step, at: new Date(base + 20_000 * n++).toISOString() });
  }
  return out;
}
