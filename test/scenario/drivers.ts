import { Harness } from '../support/golive.js';
import { SlackHarness, CHANNEL as SLACK_CHANNEL } from '../support/slack-harness.js';
import { TeamsHarness } from '../support/teams-harness.js';
import { CHANNEL as TEAMS_CHANNEL, type TeamsUser } from '../support/teams-activities.js';
import { buttonsOf, cardText, cardsOf, invokeCard } from '../support/teams-cards-read.js';
import { PEOPLE, RELEASE, START, timed, type Person, type Step } from './seed-steps.js';
import { recordOf } from '../support/store-records.js';

// One driver per platform: each plays the neutral steps as that platform's people would, and
// reads back what they would see. `@name` in a line becomes the platform's own mention.

export interface Driver {
  readonly platform: 'console' | 'slack' | 'teams';
  play(steps: readonly Step[]): Promise<void>;
  /** `status` as the release manager sees it. */
  status(): Promise<string>;
  /** The decision paper as it reaches the channel. */
  paper(): Promise<string>;
  /** The release's record as the store holds it. */
  audit(): Promise<{ outcome: string; command: string }[]>;
  /** A platform person id back to its short name, for comparing what the platforms show. */
  readonly personOf: (id: string) => Person | undefined;
  /** How often the checklist in the channel was edited in place (the console has nothing to edit). */
  checklistEdits(): { posts: number; edits: number; sameMessage: boolean };
  close(): Promise<void>;
}

const value = (v: object) => JSON.stringify(v);

export async function consoleDriver(): Promise<Driver> {
  const h = await Harness.open(START);
  let transcript = '';
  const run = async (script: string) => {
    const { output, status } = await h.run(script);
    transcript += output;
    if (status !== 0) throw new Error(`console script failed:\n${output}`);
    return output;
  };
  const line = (step: Exclude<Step, { clock: string }>): string => {
    if ('say' in step) return `/as ${step.as}\n/release ${step.say}`;
    if ('answer' in step) {
      const { criterion, kind, comment, evidence } = step.answer;
      return `/as ${step.as}\n/release confirm ${criterion} ${kind} "${comment}"${evidence.map((e) => ` --evidence ${e}`).join('')}`;
    }
    return `/as ${step.as}\n/release signoff ${step.signoff.group} ${step.signoff.verdict}`;
  };
  return {
    platform: 'console',
    play: async (steps) => {
      for (const { step, at } of timed(steps)) {
        h.clock.set(at);
        await run(line(step));
      }
    },
    status: async () => run('/as rita\n/release status'),
    paper: async () => {
      const [paper = ''] = await h.written(await run('/as pat\n/release report'));
      return paper;
    },
    audit: async () => (await recordOf(h.store, RELEASE)).audit,
    personOf: (id) => PEOPLE.find((p) => id === `console:${p}`),
    checklistEdits: () => ({ posts: (transcript.match(/Go-live checklist/g) ?? []).length, edits: 0, sameMessage: true }),
    close: () => h.close(),
  };
}

const slackId = (p: Person) => `U${p.toUpperCase()}`;

export async function slackDriver(): Promise<Driver> {
  const h = await SlackHarness.open(START);
  const mention = (text: string) => text.replace(/@([a-z]+)/g, (all, name: string) => ((PEOPLE as readonly string[]).includes(name) ? `<@${slackId(name as Person)}>` : all));
  const isChecklist = (c: { body: Record<string, unknown> }) => c.body.channel === SLACK_CHANNEL && JSON.stringify(c.body.blocks ?? '').includes('Go-live checklist');
  const must = (status: number, what: string) => {
    if (status !== 200) throw new Error(`Slack answered ${status} to ${what}`);
  };
  const play = async (step: Exclude<Step, { clock: string }>) => {
    const user = slackId(step.as);
    if ('say' in step) return must((await h.command(user, mention(step.say))).status, step.say);
    if ('signoff' in step) return must((await h.click(user, `golive:signoff:${step.signoff.verdict}`, value({ r: RELEASE, g: step.signoff.group }))).status, 'sign-off');
    const { criterion, kind, comment, evidence } = step.answer;
    const opened = h.fake.callsTo('views.open').length;
    await h.click(user, `golive:answer:${kind}`, value({ r: RELEASE, c: criterion }));
    const modal = h.fake.callsTo('views.open')[opened];
    if (!modal) throw new Error(`no answer form for ${criterion}`);
    const view = modal.body.view as { callback_id: string; private_metadata: string };
    const sent = await h.submit(user, view.callback_id, view.private_metadata, { evidence: { evidence: evidence.join('\n') }, comment: { comment } });
    must(sent.status, `the answer to ${criterion}`);
  };
  return {
    platform: 'slack',
    play: async (steps) => {
      for (const { step, at } of timed(steps)) {
        h.clock.set(at);
        await play(step);
      }
    },
    status: async () => (await h.command(slackId('rita'), 'status')).reply,
    paper: async () => {
      await h.command(slackId('pat'), 'report');
      return h.fake.uploads.at(-1)?.content ?? '';
    },
    audit: async () => (await h.doc(RELEASE)).audit,
    personOf: (id) => PEOPLE.find((p) => id === `slack:${slackId(p)}`),
    checklistEdits: () => {
      const posts = h.fake.callsTo('chat.postMessage').filter(isChecklist);
      const edits = h.fake.callsTo('chat.update');
      const ts = posts[0]?.response?.ts;
      return { posts: posts.length, edits: edits.length, sameMessage: edits.every((u) => u.body.channel === SLACK_CHANNEL && u.body.ts === ts) };
    },
    close: () => h.close(),
  };
}

const teamsUser = (p: Person): TeamsUser => ({ id: `29:1${p}-id`, name: `${p[0]!.toUpperCase()}${p.slice(1)} Example` });

export async function teamsDriver(): Promise<Driver> {
  const h = await TeamsHarness.open({ start: START });
  const people = Object.fromEntries(PEOPLE.map((p) => [p, teamsUser(p)]));
  const channel = { kind: 'channel' as const };
  const mention = (text: string) => text.replace(/@([a-z]+)/g, (all, name: string) => ((PEOPLE as readonly string[]).includes(name) ? `@{${name}}` : all));
  const must = (status: number, what: string) => {
    if (status !== 200) throw new Error(`Teams answered ${status} to ${what}`);
  };
  const press = (p: Person, verb: string, data: Record<string, unknown>) => h.send(h.activities.cardAction(teamsUser(p), verb, data, channel));
  const play = async (step: Exclude<Step, { clock: string }>) => {
    if ('say' in step) return must((await h.send(h.activities.message(teamsUser(step.as), `release ${mention(step.say)}`, channel, people))).status, step.say);
    if ('signoff' in step) return must((await press(step.as, `golive:signoff:${step.signoff.verdict}`, { value: value({ r: RELEASE, g: step.signoff.group }) })).status, 'sign-off');
    const { criterion, kind, comment, evidence } = step.answer;
    const form = invokeCard((await press(step.as, `golive:answer:${kind}`, { value: value({ r: RELEASE, c: criterion }) })).json);
    const submit = buttonsOf(form).find((b) => b.verb === 'golive:form:submit');
    if (!submit) throw new Error(`no answer form for ${criterion}: ${cardText(form)}`);
    const done = await press(step.as, 'golive:form:submit', { ...submit.data, evidence: evidence.join('\n'), comment });
    must(done.status, `the answer to ${criterion}`);
    const answered = cardText(invokeCard(done.json));
    if (!answered.includes('Go-live checklist')) throw new Error(`the answer to ${criterion} was not taken: ${answered}`);
  };
  // The checklist is posted to the channel itself; replies go to the thread of the message answered.
  const inChannel = () => h.fake.delivered().filter((c) => c.conversationId === TEAMS_CHANNEL || c.conversationId?.startsWith(`${TEAMS_CHANNEL};`));
  /** The newest message posted (not edited) in the channel that holds `marker`. */
  const posted = (marker: string) => {
    const found = inChannel()
      .filter((c) => c.kind !== 'update')
      .map((c) => cardsOf(c.body).map(cardText).join('\n'))
      .filter((text) => text.includes(marker));
    return found.at(-1) ?? '';
  };
  return {
    platform: 'teams',
    play: async (steps) => {
      for (const { step, at } of timed(steps)) {
        h.clock.set(at);
        await play(step);
      }
    },
    status: async () => {
      await h.send(h.activities.message(teamsUser('rita'), 'release status --public', channel));
      return posted('Nothing blocks') || posted('SEC Release:');
    },
    paper: async () => {
      const before = h.fake.calls.length;
      await h.send(h.activities.message(teamsUser('pat'), 'release report', channel));
      const texts = inChannel()
        .filter((c) => h.fake.calls.indexOf(c) >= before && c.body.textFormat === 'markdown')
        .map((c) => String(c.body.text));
      // The first message opens with a line saying what the file is; the rest is the file.
      const joined = texts.join('');
      return joined.slice(joined.indexOf('\n\n') + 2);
    },
    audit: async () => (await h.doc(RELEASE)).audit,
    personOf: (id) => PEOPLE.find((p) => id === `teams:${teamsUser(p).id}`),
    checklistEdits: () => {
      const posts = h.fake.messagesIn(TEAMS_CHANNEL).filter((c) => c.kind !== 'update' && cardsOf(c.body).some((card) => cardText(card).includes('Go-live checklist')));
      const edits = h.fake.messagesIn(TEAMS_CHANNEL).filter((c) => c.kind === 'update');
      const id = posts[0]?.response?.id;
      return { posts: posts.length, edits: edits.length, sameMessage: edits.every((u) => u.activityId === id) };
    },
    close: () => h.close(),
  };
}
