import { afterEach, beforeEach, expect, it } from 'vitest';
import { StoreError } from '../src/app/store-port.js';
import type { TeamsUser } from './support/teams-activities.js';
import { TeamsHarness } from './support/teams-harness.js';
import { messageText } from './support/teams-cards-read.js';

// A `release status` is handled while its receipt is being saved (it only reads), but answered
// only once it is saved: when the inbox cannot save it, the person is told so and sees no status.

const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };

let h: TeamsHarness;
beforeEach(async () => {
  h = await TeamsHarness.open();
  await h.send(h.activities.message(RITA, 'release create "November 2019 SEC Release" 2019-11-29 --template sec-release --id nov-2019-sec', { kind: 'channel' }));
});
afterEach(() => h.close());

it('a status whose receipt cannot be saved is not answered, and the person is told why', async () => {
  const chat = h.fake.personalChatOf(RITA.id);
  const receive = h.inbox.receive.bind(h.inbox);
  h.inbox.receive = () => Promise.reject(new StoreError('inbox.jsonl: could not be saved (ENOSPC: no space left on device)'));
  const before = h.fake.calls.length;
  try {
    await h.send(h.activities.message(RITA, 'release status', { kind: 'channel' }));
  } finally {
    h.inbox.receive = receive;
  }
  const said = h.fake.calls
    .slice(before)
    .filter((call) => call.kind !== 'create')
    .map((call) => messageText(call));
  expect(said).toHaveLength(1);
  expect(said[0]).toContain('golive could not save your request, so nothing was done');
  expect(said.join('\n')).not.toContain('November 2019 SEC Release');

  await h.send(h.activities.message(RITA, 'release status', { kind: 'channel' }));
  expect(messageText(h.fake.messagesIn(chat).at(-1) ?? h.fake.calls.at(-1))).toContain('November 2019 SEC Release');
});
