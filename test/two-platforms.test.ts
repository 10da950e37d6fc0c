import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../adapters/teams/teams-adapter.js';
import { verifyChain } from '../src/domain/audit.js';
import { startFakeConnector, type FakeConnector } from './support/fake-connector.js';
import { CHANNEL as SLACK_CHANNEL, SlackHarness } from './support/slack-harness.js';
import { CHANNEL as TEAMS_CHANNEL, teamsActivities, type TeamsActivities, type TeamsUser } from './support/teams-activities.js';
import { post } from './support/teams-harness.js';
import { buttonsOf, cardText, cardsOf, invokeCard } from './support/teams-cards-read.js';

// One release followed by a Slack channel and a Teams channel at once, on one golive: an answer
// given on either platform shows on both checklists and lands in one audit chain, and a person
// who linked their Slack and Teams identities is the same owner on both.

const R = 'nov';
const RITA_SLACK = 'URITA';
const DAN_SLACK = 'UDAN';
const RITA: TeamsUser = { id: '29:1rita', name: 'Rita Reyes' };
const DAN: TeamsUser = { id: '29:1dan', name: 'Dan Daly' };
const SAM: TeamsUser = { id: '29:1sam', name: 'Sam Sato' };
const value = (v: object) => JSON.stringify(v);

describe('one release, Slack and Teams', () => {
  let h: SlackHarness;
  let connector: FakeConnector;
  let teams: TeamsActivities;
  const inTeamsChannel = { kind: 'channel' as const };

  /** Sends a Teams activity to the one server and waits until golive has answered it. */
  const toTeams = async (activity: object) => {
    const sent = await post(`${h.url}/api/messages`, JSON.stringify(activity), {});
    await h.settled();
    await h.serving.idle();
    return sent;
  };
  const codeIn = (text: string) => /link code is \*?(\w{4}-\w{4})/.exec(text)?.[1];
  const lastTeamsText = (userId: string) => {
    const calls = connector.messagesIn(connector.personalChatOf(userId));
    return calls.length === 0 ? '' : [String(calls.at(-1)!.body.text ?? ''), ...cardsOf(calls.at(-1)!.body).map(cardText)].join('\n');
  };
  const teamsChecklist = () => connector.messagesIn(TEAMS_CHANNEL).filter((c) => cardsOf(c.body).some((card) => cardText(card).includes('Go-live checklist')));
  const slackChecklist = () =>
    h.fake.calls.filter(
      (c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.body.channel === SLACK_CHANNEL && JSON.stringify(c.body.blocks ?? '').includes('Go-live checklist'),
    );

  beforeAll(async () => {
    connector = await startFakeConnector();
    teams = teamsActivities(connector.serviceUrl);
    const dir = await mkdtemp(join(tmpdir(), 'golive-two-'));
    h = await SlackHarness.open('2026-11-30T09:00:00Z', dir, {}, { adapters: [(deps) => createTeamsAdapter({ mode: 'local' }, deps, { dataDir: dir })] });
  });
  afterAll(async () => {
    await h.close();
    await connector.close();
  });

  it('is created in Slack, and linked to a Teams channel by its manager once she has linked her Teams identity', async () => {
    for (const line of [`create "Nov" 2026-12-15 --template sec-release --id ${R}`, `role DCC <@${DAN_SLACK}>`, `role SECAS @teams:${SAM.id}`]) {
      expect((await h.command(RITA_SLACK, line)).status).toBe(200);
    }
    // From Teams, before linking, Rita is nobody to this release.
    await toTeams(teams.message(RITA, `release link --release ${R}`, inTeamsChannel));
    expect(lastTeamsText(RITA.id)).toContain('Only the release managers');
    expect((await h.doc(R)).release.channels).toHaveLength(1);

    const code = codeIn((await h.command(RITA_SLACK, 'whoami link')).reply);
    expect(code).toBeDefined();
    await toTeams(teams.message(RITA, `release whoami link ${code}`, { kind: 'personal', id: connector.personalChatOf(RITA.id) }));
    expect(lastTeamsText(RITA.id)).toContain('Linked');
    await toTeams(teams.message(RITA, `release link --release ${R}`, inTeamsChannel));
    expect((await h.doc(R)).release.channels.map((c) => c.platform)).toEqual(['slack', 'teams']);
    expect((await h.doc(R)).release.channels[1]).toMatchObject({ platform: 'teams', id: TEAMS_CHANNEL, reference: { serviceUrl: connector.serviceUrl, conversationId: TEAMS_CHANNEL } });
  });

  it('posts the checklist to both channels', async () => {
    await h.command(RITA_SLACK, 'ask');
    expect(slackChecklist().filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    expect(teamsChecklist().filter((c) => c.kind !== 'update')).toHaveLength(1);
  });

  it('shows an answer given in Slack on the Teams card, edited in place', async () => {
    const opened = h.fake.callsTo('views.open').length;
    await h.click(DAN_SLACK, 'golive:answer:met', value({ r: R, c: 'code-ready' }));
    const view = h.fake.callsTo('views.open')[opened]!.body.view as { callback_id: string; private_metadata: string };
    await h.submit(DAN_SLACK, view.callback_id, view.private_metadata, { evidence: { evidence: 'https://example.org/build' }, comment: { comment: 'built in Slack' } });
    await h.settled();
    const edits = teamsChecklist().filter((c) => c.kind === 'update');
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.at(-1)!.activityId).toBe(teamsChecklist()[0]!.response?.id);
    expect(cardsOf(edits.at(-1)!.body).map(cardText).join('\n')).toContain('built in Slack');
  });

  it('shows an answer given in Teams on the Slack message, edited in place', async () => {
    const form = invokeCard((await toTeams(teams.cardAction(SAM, 'golive:answer:met', { value: value({ r: R, c: 'secas-ready' }) }, inTeamsChannel))).json);
    const submit = buttonsOf(form).find((b) => b.verb === 'golive:form:submit')!;
    await toTeams(teams.cardAction(SAM, 'golive:form:submit', { ...submit.data, evidence: '', comment: 'ready from Teams' }, inTeamsChannel));
    const update = slackChecklist()
      .filter((c) => c.method === 'chat.update')
      .at(-1)!;
    expect(update.body.ts).toBe(slackChecklist()[0]!.response?.ts);
    expect(JSON.stringify(update.body.blocks)).toContain('ready from Teams');
  });

  it("counts a linked person's answer from either platform as theirs", async () => {
    // Dan owns DCC's criteria as his Slack identity; from Teams he is refused until he links.
    const refused = await toTeams(teams.cardAction(DAN, 'golive:answer:met', { value: value({ r: R, c: 'ops-ready' }) }, inTeamsChannel));
    expect(cardText(invokeCard(refused.json))).toContain('owned by');
    const answerButtons = async () => {
      const card = invokeCard((await toTeams(teams.cardAction(DAN, 'golive:refresh', { value: value({ r: R }) }, inTeamsChannel, 'automatic'))).json);
      return buttonsOf(card).filter((b) => b.verb.startsWith('golive:answer:')).length;
    };
    expect(await answerButtons()).toBe(0);
    const code = codeIn((await h.command(DAN_SLACK, 'whoami link')).reply);
    await toTeams(teams.message(DAN, `release whoami link ${code}`, { kind: 'personal', id: connector.personalChatOf(DAN.id) }));
    // His Teams card now shows him the buttons of the criteria his Slack identity owns.
    expect(await answerButtons()).toBeGreaterThan(0);
    const form = invokeCard((await toTeams(teams.cardAction(DAN, 'golive:answer:met', { value: value({ r: R, c: 'ops-ready' }) }, inTeamsChannel))).json);
    const submit = buttonsOf(form).find((b) => b.verb === 'golive:form:submit')!;
    await toTeams(teams.cardAction(DAN, 'golive:form:submit', { ...submit.data, evidence: '', comment: 'ops ready, from Teams' }, inTeamsChannel));
    const response = (await h.doc(R)).release.criteria.find((c) => c.id === 'ops-ready')!.responses.at(-1);
    expect(response).toMatchObject({ answer: 'met', by: `teams:${DAN.id}`, onBehalfOf: `slack:${DAN_SLACK}`, platform: 'teams' });
    // Dan's to-do list in Slack no longer lists what he answered from Teams.
    expect((await h.command(DAN_SLACK, 'todo')).reply).not.toContain('ops-ready');
  });

  it('keeps every answer, from both platforms, in one intact audit chain', async () => {
    const audit = (await h.doc(R)).audit;
    expect(verifyChain(audit).ok).toBe(true);
    const answers = audit.filter((e) => e.command.includes('confirm') && e.outcome === 'applied').map((e) => e.actor);
    expect(answers).toEqual([
      { id: `slack:${DAN_SLACK}`, platform: 'slack' },
      { id: `teams:${SAM.id}`, platform: 'teams' },
      { id: `teams:${DAN.id}`, platform: 'teams' },
    ]);
  });
});
