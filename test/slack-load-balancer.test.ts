import { afterEach, beforeEach, expect, it } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { ANSWER_FORM } from '../src/app/language/action-ids.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/round-robin-proxy.js';
import { SECRET, SlackReplica } from './support/slack-replica.js';
import { appHomeOpened, blockAction, event, sendRaw, slashCommand, slashCommandRequest, viewSubmission } from './support/slack-requests.js';
import { TestClock } from './support/test-clock.js';

// Three golive replicas on one database behind a plain round-robin load balancer, Slack in HTTP
// mode pointed at the balancer: every request may land on any replica, the next one on another.
// A release run through it looks as it does on one golive: one record, one checklist edited in
// place, nothing posted twice.

const CHANNEL = 'C0RELEASE';
const RITA = 'URITA';
const DAN = 'UDAN';
const R = 'small';
const isChecklist = (call: { body: Record<string, unknown> }) => call.body.channel === CHANNEL && JSON.stringify(call.body.blocks ?? '').includes('Go-live checklist');

forEachTarget('three Slack replicas behind a load balancer', (target) => {
  let schema: TestSchema;
  let fake: FakeSlack;
  let clock: TestClock;
  let replicas: SlackReplica[];
  let proxy: RoundRobinProxy;

  beforeEach(async () => {
    schema = await target.schema();
    fake = await startFakeSlack();
    clock = new TestClock('2019-11-07T09:00:00Z');
    replicas = [];
    for (const name of ['replica-a', 'replica-b', 'replica-c']) replicas.push(await SlackReplica.open(name, schema, fake, clock));
    proxy = await startRoundRobinProxy(replicas.map((replica) => replica.url));
  }, 60_000);

  afterEach(async () => {
    await proxy.close();
    for (const replica of replicas) await replica.close();
    await fake.close();
    await schema.drop();
  });

  const settled = async () => {
    for (const replica of replicas) await replica.settled();
  };
  /** The replica the balancer sent the latest request to. */
  const landedOn = () => proxy.log.at(-1)!.target;
  async function command(userId: string, text: string, triggerId?: string) {
    const response = await slashCommand(proxy.url, SECRET, { text, userId, channelId: CHANNEL, ...(triggerId && { triggerId }) });
    await settled();
    expect(response.status, text).toBe(200);
    return landedOn();
  }
  const audit = () => replicas[0]!.store.audit(R);
  const entriesFor = async (id: string) => (await audit()).filter((entry) => entry.request === id);
  const ephemeralTo = (userId: string) =>
    fake
      .callsTo('chat.postEphemeral')
      .filter((call) => call.body.user === userId)
      .map((call) => JSON.stringify(call.body.blocks));

  it('runs a release as one golive would: one record, the checklist edited in place, nothing posted twice', async () => {
    await command(RITA, `create "Small" 2019-11-29 --id ${R}`, 'T-create');
    await command(RITA, `role DCC <@${DAN}>`, 'T-role');
    await command(RITA, 'ask', 'T-ask');
    // Three requests, three replicas: the balancer gave each one a turn.
    expect(proxy.log.map((entry) => entry.target)).toEqual([0, 1, 2]);
    const checklist = fake.callsTo('chat.postMessage').filter(isChecklist);
    expect(checklist).toHaveLength(1);
    const ts = checklist[0]!.response?.ts;
    expect(ts).toEqual(expect.any(String));

    await command(DAN, 'confirm code-ready met', 'T-answer-1');
    await command(DAN, 'confirm test-phases-closed met --evidence https://example.org/sit', 'T-answer-2');

    // The button opens the form on one replica; the form comes back to another.
    const opened = fake.callsTo('views.open').length;
    const press = await blockAction(proxy.url, SECRET, {
      userId: DAN,
      channelId: CHANNEL,
      messageTs: ts as string,
      actionId: 'golive:answer:not-met',
      value: JSON.stringify({ r: R, c: 'ops-ready' }),
      triggerId: 'T-press',
    });
    await settled();
    expect(press.status).toBe(200);
    const pressedOn = landedOn();
    const modal = fake.callsTo('views.open')[opened];
    expect(modal?.body).toMatchObject({ trigger_id: 'T-press', view: { callback_id: ANSWER_FORM } });
    const view = modal!.body.view as { callback_id: string; private_metadata: string };
    const submitted = await viewSubmission(proxy.url, SECRET, {
      userId: DAN,
      callbackId: view.callback_id,
      privateMetadata: view.private_metadata,
      values: { evidence: { evidence: '' }, comment: { comment: 'Runbook not signed' } },
      triggerId: 'T-submit',
    });
    await settled();
    expect(submitted.status).toBe(200);
    expect(landedOn()).not.toBe(pressedOn);

    // Slack sends a slash command again with the same trigger id, and retries with X-Slack-Retry-Num:
    // each lands on another replica than the first delivery.
    const answer = slashCommandRequest(SECRET, { text: 'confirm no-sev1-sev2 met', userId: DAN, channelId: CHANNEL, triggerId: 'T-again' });
    const deliveries: number[] = [];
    const retry: Record<string, string> = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
    for (const headers of [{}, retry, {}]) {
      expect((await sendRaw(proxy.url, { ...answer, headers })).status).toBe(200);
      await settled();
      deliveries.push(landedOn());
    }
    expect(new Set(deliveries).size).toBe(3);

    const firstHome = await event(proxy.url, SECRET, appHomeOpened(DAN), { eventId: 'Ev0BALANCED1' });
    const homeOn = landedOn();
    await settled();
    const retriedHome = await event(proxy.url, SECRET, appHomeOpened(DAN), { eventId: 'Ev0BALANCED1', retryNum: 1, retryReason: 'http_timeout' });
    await settled();
    expect([firstHome.status, retriedHome.status]).toEqual([200, 200]);
    expect(landedOn()).not.toBe(homeOn);
    expect(fake.callsTo('views.publish')).toMatchObject([{ body: { user_id: DAN } }]);

    // One record: every request once, in one chain, whichever replica wrote it.
    for (const id of ['T-create', 'T-role', 'T-ask', 'T-answer-1', 'T-answer-2', 'T-submit', 'T-again']) {
      expect(await entriesFor(id), id).toEqual([expect.objectContaining({ outcome: 'applied' })]);
    }
    expect(verifyChain(await audit()).ok).toBe(true);
    const criteria = (await replicas[2]!.store.get(R))!.release.criteria;
    const answers = Object.fromEntries(criteria.map((c) => [c.id, c.responses.map((response) => response.answer)]));
    expect(answers).toMatchObject({ 'code-ready': ['met'], 'test-phases-closed': ['met'], 'no-sev1-sev2': ['met'], 'ops-ready': ['not-met'] });
    expect(criteria.find((c) => c.id === 'ops-ready')!.responses[0]).toMatchObject({ comment: 'Runbook not signed', by: `slack:${DAN}` });

    // Each answer told once, privately.
    for (const [criterion, said] of [
      ['criterion 1 (code-ready)', '*met*'],
      ['(test-phases-closed)', '*met*'],
      ['(no-sev1-sev2)', '*met*'],
      ['(ops-ready)', '*not met*'],
    ] as const) {
      expect(
        ephemeralTo(DAN).filter((text) => text.includes(criterion) && text.includes(said)),
        criterion,
      ).toHaveLength(1);
    }

    // Nothing else: no second answer saying a request was recorded already.
    expect(ephemeralTo(DAN)).toHaveLength(4);
    // Nothing posted twice; the checklist was edited in place, never posted again.
    const posts = fake.callsTo('chat.postMessage');
    expect(posts.filter(isChecklist)).toHaveLength(1);
    expect(posts.filter((call) => call.body.text === 'Release created')).toHaveLength(1);
    const bodies = posts.map((call) => JSON.stringify(call.body));
    expect(new Set(bodies).size).toBe(bodies.length);
    const edits = fake.callsTo('chat.update');
    expect(edits.length).toBeGreaterThan(0);
    for (const edit of edits) expect(edit.body).toMatchObject({ channel: CHANNEL, ts });
    const latest = JSON.stringify(edits.at(-1)!.body.blocks);
    expect(latest).toContain(`*not met* by <@${DAN}>`);
    expect(latest).toContain(`*met* by <@${DAN}>`);
    expect(await schema.sql('SELECT count(*)::int AS open FROM inbox WHERE done_at IS NULL')).toEqual([{ open: 0 }]);
  }, 60_000);
});
