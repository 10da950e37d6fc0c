import { CloudAdapter, ConnectorClient } from '@microsoft/agents-hosting';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Connector } from '../adapters/teams/connector.js';
import { deepFreeze } from '../src/domain/deep-freeze.js';
import { RetryLater } from '../src/app/delivery/chat-port.js';
import { startFakeConnector, type FakeConnector } from './support/fake-connector.js';
import { TestClock } from './support/test-clock.js';

// What golive's connector puts on the wire: the message activity as Teams reads it, with the
// bot's token from the turn's client, to the conversation and, for an edit, to the activity; and
// what the connector's refusals become. The activity is serialised by golive (connector.ts says why).

const CONVERSATION = '19:abc@thread.tacv2;messageid=1700000000000';
const CARD = deepFreeze({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Release 1: "GO" & <ready>', wrap: true }] });

let fake: FakeConnector;
let connector: Connector;
beforeEach(async () => {
  fake = await startFakeConnector();
  const client = ConnectorClient.createClientWithToken(fake.serviceUrl, 'bot-token-1');
  // The adapter is the SDK's own, unused on this path: a turn's client serves its service URL.
  connector = new Connector(new CloudAdapter(), 'app-id', new TestClock('2026-12-01T09:00:00Z'), 2_000).within({ serviceUrl: fake.serviceUrl, client });
});
afterEach(async () => {
  await fake.close();
});

describe("golive's activities on the Bot Connector's wire", () => {
  const place = () => ({ serviceUrl: fake.serviceUrl, tenantId: 'tenant-1', botId: '28:bot' });
  const message = { text: 'Release 1 is GO', textFormat: 'markdown' as const, summary: 'Release 1', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: CARD }] };

  it('sends and edits a message with its card, the token and the ids Teams gave', async () => {
    const id = await connector.send(place(), CONVERSATION, message);
    await connector.update(place(), CONVERSATION, id, { ...message, text: 'Release 1 is NO-GO' });
    const [sent, edited] = fake.calls;
    expect(id).toBe(sent!.response!.id);
    expect(sent).toMatchObject({ kind: 'send', method: 'POST', conversationId: CONVERSATION, token: 'bot-token-1' });
    expect(sent!.body).toEqual({ type: 'message', from: { id: '28:bot' }, conversation: { id: CONVERSATION, tenantId: 'tenant-1' }, ...message });
    expect(edited).toMatchObject({ kind: 'update', method: 'PUT', conversationId: CONVERSATION, activityId: id, token: 'bot-token-1' });
    expect(edited!.body).toEqual({ type: 'message', id, from: { id: '28:bot' }, conversation: { id: CONVERSATION, tenantId: 'tenant-1' }, ...message, text: 'Release 1 is NO-GO' });
  });

  it('a message without a card carries none', async () => {
    await connector.send({ serviceUrl: fake.serviceUrl }, CONVERSATION, { text: 'plain' });
    expect(fake.calls[0]!.body).toEqual({ type: 'message', conversation: { id: CONVERSATION }, text: 'plain' });
  });

  it('a refusal with 429 waits as Teams asked, a 503 may be tried again, a 403 is final', async () => {
    fake.failNext({ status: 429, retryAfter: 30 }, 1);
    fake.failNext({ status: 503 }, 1);
    fake.failNext({ status: 403 }, 1);
    const throttled = await connector.send(place(), CONVERSATION, message).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(RetryLater);
    expect(throttled).toMatchObject({ afterMs: 30_000, message: expect.stringContaining('429') });
    await expect(connector.send(place(), CONVERSATION, message)).rejects.toBeInstanceOf(RetryLater);
    const refused = await connector.send(place(), CONVERSATION, message).catch((e: unknown) => e);
    expect(refused).not.toBeInstanceOf(RetryLater);
    expect(refused).toMatchObject({ message: expect.stringContaining('Teams answered 403') });
    expect(fake.delivered()).toEqual([]);
  });
});
