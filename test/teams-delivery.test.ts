import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import { CHANNEL, type TeamsUser } from './support/teams-activities.js';
import { TeamsHarness } from './support/teams-harness.js';
import { messageText } from './support/teams-cards-read.js';

// What golive says on its own (the checklist `ask` posts, direct messages to new owners) reaches
// Teams through the outbox: a 429 or 5xx from the Bot Connector is tried again after the wait it
// asked for, and nothing is sent twice; anything else it refuses is final.

const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };
const DAN: TeamsUser = { id: '29:1dan-daly', name: 'Dan Daly' };
const R = 'nov-2019-sec';

describe('Teams delivery through the outbox', () => {
  let h: TeamsHarness;
  const checklist = async (): Promise<OutboxMessage> => (await h.doc(R)).outbox.find((m) => m.kind === 'checklist')!;
  const callsToChannel = () => h.fake.calls.filter((c) => c.conversationId === CHANNEL);

  beforeAll(async () => {
    h = await TeamsHarness.open();
    await h.send(h.activities.message(RITA, 'release create "November 2019 SEC Release" 2019-11-29 --template sec-release --id nov-2019-sec', { kind: 'channel' }));
  });
  afterAll(() => h.close());

  it('sends a new owner a direct message in a personal chat golive opens with them, in their tenant', async () => {
    await h.send(h.activities.message(RITA, 'release role DCC @{Dan Daly}', { kind: 'channel' }, { 'Dan Daly': DAN }));
    const created = h.fake.delivered('create').find((c) => JSON.stringify(c.body.members) === JSON.stringify([{ id: DAN.id }]));
    expect(created?.body).toMatchObject({ isGroup: false, tenantId: expect.any(String), bot: { id: expect.stringMatching(/^28:/) } });
    const dm = h.fake.messagesIn(h.fake.personalChatOf(DAN.id));
    expect(dm).toHaveLength(1);
    expect(messageText(dm[0])).toContain('November 2019 SEC Release');
  });

  it('retries a checklist refused with 429 after Retry-After, and posts it exactly once', async () => {
    h.fake.failNext({ status: 429, retryAfter: 120 }, 1, { conversationId: CHANNEL });
    await h.send(h.activities.message(RITA, 'release ask', { kind: 'channel' }));
    expect(callsToChannel()).toEqual([expect.objectContaining({ kind: 'send', failed: 429 })]);
    const waiting = await checklist();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('429') });
    // Teams' own wait, to the second, from when the attempt was made.
    expect(Date.parse(waiting.nextAttemptAt!)).toBeGreaterThanOrEqual(Date.parse(waiting.createdAt) + 120_000);

    await h.outbox.kick();
    expect(callsToChannel()).toHaveLength(1);

    h.clock.set('2019-11-07T10:00:00Z');
    await h.outbox.kick();
    await h.outbox.kick();
    expect(callsToChannel()).toHaveLength(2);
    expect(h.fake.messagesIn(CHANNEL)).toHaveLength(1);
    expect(await checklist()).toMatchObject({ status: 'sent', attempts: 2, messageRef: h.fake.messagesIn(CHANNEL)[0]!.response?.id });
  });

  it('retries an edit refused with 500 with the outbox’s backoff, editing the same message', async () => {
    h.fake.failNext({ status: 503 }, 2, { kind: 'update' });
    await h.send(h.activities.message(RITA, 'release facts issues 12 --threshold 30', { kind: 'channel' }));
    const edit = async () => (await h.doc(R)).outbox.filter((m) => m.kind === 'checklist-update').at(-1)!;
    // The test clock moves a second a read, so the first retry (after 2 s) may already have been made.
    expect(await edit()).toMatchObject({ status: 'pending', lastError: expect.stringContaining('503') });
    for (const at of ['2019-11-07T11:00:00Z', '2019-11-07T12:00:00Z']) {
      h.clock.set(at);
      await h.outbox.kick();
    }
    expect(await edit()).toMatchObject({ status: 'sent', attempts: 3 });
    const updates = h.fake.calls.filter((c) => c.kind === 'update');
    expect(updates.map((c) => c.failed ?? 'ok')).toEqual([503, 503, 'ok']);
    expect(new Set(updates.map((c) => c.activityId))).toEqual(new Set([(await checklist()).messageRef]));
  });

  it('gives up at once on a refusal that will not change (403), and says why', async () => {
    h.fake.failNext({ status: 403 }, 1, { conversationId: CHANNEL });
    await h.send(h.activities.message(RITA, 'release ask', { kind: 'channel' }));
    const refused = (await h.doc(R)).outbox.filter((m) => m.kind === 'checklist').at(-1)!;
    expect(refused).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringContaining('403') });
    h.clock.set('2019-11-07T13:00:00Z');
    await h.outbox.kick();
    expect(h.fake.calls.filter((c) => c.conversationId === CHANNEL && c.failed === 403)).toHaveLength(1);
  });

  it('cannot message someone golive has never met on Teams, and says so instead of guessing', async () => {
    await h.send(h.activities.message(RITA, 'release role SECAS @teams:29:1never-seen', { kind: 'channel' }));
    const dm = (await h.doc(R)).outbox.find((m) => 'person' in m.to && m.to.person.id === 'teams:29:1never-seen');
    expect(dm).toMatchObject({ status: 'failed', lastError: expect.stringContaining('has not met the Teams user 29:1never-seen') });
    expect(h.fake.calls.filter((c) => c.kind === 'create' && JSON.stringify(c.body.members).includes('never-seen'))).toEqual([]);
  });
});
