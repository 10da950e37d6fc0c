import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHANNEL, type TeamsUser } from './support/teams-activities.js';
import { TeamsHarness } from './support/teams-harness.js';

// A Bot Connector that takes the request and never answers: fetch alone would wait minutes, longer
// than the outbox's claim on the message. Each request has a timeout (10 s; 300 ms here), and a
// request that runs out of it may be tried again later, like a server error.

const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };
const R = 'nov-2019-sec';
let h: TeamsHarness;

beforeAll(async () => {
  h = await TeamsHarness.open({ callTimeoutMs: 300 });
  await h.send(h.activities.message(RITA, `release create "November 2019 SEC Release" 2019-11-29 --template sec-release --id ${R}`, { kind: 'channel' }));
});
afterAll(() => h.close());

it('gives up on a request Teams does not answer in time, and sends it once on a later try', async () => {
  h.fake.failNext({ stall: true }, 1, { conversationId: CHANNEL });
  await h.send(h.activities.message(RITA, 'release ask', { kind: 'channel' }));
  const checklist = async () => (await h.doc(R)).outbox.find((m) => m.kind === 'checklist')!;
  // The test clock moves a second a read, so the retry (after 2 s) may already have been made.
  expect((await checklist()).lastError).toContain('Teams did not answer within its time');
  h.clock.set('2019-11-07T12:00:00Z');
  await h.outbox.kick();
  expect(h.fake.calls.filter((c) => c.conversationId === CHANNEL).map((c) => c.failed)).toEqual([0, undefined]);
  expect(h.fake.messagesIn(CHANNEL)).toHaveLength(1);
  expect(await checklist()).toMatchObject({ status: 'sent', attempts: 2, messageRef: h.fake.messagesIn(CHANNEL)[0]!.response?.id });
});
