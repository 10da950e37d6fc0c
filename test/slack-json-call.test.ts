import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatCall } from '../adapters/slack/json-call.js';
import { blocksJson } from '../adapters/slack/blocks-json.js';
import { slackClientOptions } from '../adapters/slack/client.js';
import { freePort } from './support/golive-process.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';

// golive's chat.postMessage, chat.postEphemeral and chat.update go as JSON with the bot token in
// the Authorization header, as Slack recommends for blocks; what fails, fails as WebClient's errors.

const TOKEN = 'xoxb-json-token';
const client = (url: string) => new WebClient(TOKEN, slackClientOptions({ botToken: TOKEN, signingSecret: 'x', apiUrl: url }));
const BLOCKS = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '*1. code-ready* "met" & <https://example.org|evidence>' } }];

let fake: FakeSlack;
beforeEach(async () => {
  fake = await startFakeSlack();
});
afterEach(async () => {
  await fake.close();
});

describe('a chat call as JSON', () => {
  it('carries every argument and the blocks as given, and the token in the header', async () => {
    const web = client(fake.url);
    const posted = await chatCall(web, 'chat.postMessage', { channel: 'C1', text: 'ready', unfurl_links: false, metadata: { event_type: 'e', event_payload: { key: 'k' } } }, blocksJson(BLOCKS));
    await chatCall(web, 'chat.postEphemeral', { channel: 'C1', user: 'U1', text: 'only you' }, blocksJson(BLOCKS));
    await chatCall(web, 'chat.update', { channel: 'C1', ts: posted.ts, text: 'no blocks' });
    const [post, ephemeral, update] = fake.calls;
    expect(post).toMatchObject({ method: 'chat.postMessage', token: TOKEN, contentType: 'application/json; charset=utf-8' });
    expect(post!.body).toEqual({ channel: 'C1', text: 'ready', unfurl_links: false, metadata: { event_type: 'e', event_payload: { key: 'k' } }, blocks: BLOCKS });
    expect(ephemeral).toMatchObject({ method: 'chat.postEphemeral', body: { channel: 'C1', user: 'U1', text: 'only you', blocks: BLOCKS } });
    expect(update).toMatchObject({ method: 'chat.update', body: { channel: 'C1', ts: posted.ts, text: 'no blocks' } });
    expect(update!.body).not.toHaveProperty('blocks');
    expect(posted).toMatchObject({ ok: true, channel: 'C1' });
    expect(fake.messagesIn('C1').map((m) => m.text)).toEqual(['no blocks']);
  });

  it("fails as a rate limit with Slack's Retry-After, an HTTP error, or a platform error", async () => {
    const web = client(fake.url);
    fake.failNext('chat.update', { status: 429, retryAfter: 7 });
    fake.failNext('chat.postMessage', { status: 500 });
    fake.failNext('chat.postEphemeral', { error: 'user_not_in_channel' });
    await expect(chatCall(web, 'chat.update', { channel: 'C1', ts: '1.2', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    await expect(chatCall(web, 'chat.postMessage', { channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    await expect(chatCall(web, 'chat.postEphemeral', { channel: 'C1', user: 'U1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      message: 'An API error occurred: user_not_in_channel',
      data: { ok: false, error: 'user_not_in_channel' },
    });
    expect(fake.calls.map((c) => c.failed)).toEqual([true, true, true]);
  });

  it('fails as a request error when nothing answers, and as an HTTP error on an answer that is not JSON', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/api/`;
    await expect(chatCall(client(closed), 'chat.postMessage', { channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.RequestError });
    const garbled = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'));
    await new Promise<void>((resolve) => garbled.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(garbled.address() as AddressInfo).port}/api/`;
      await expect(chatCall(client(url), 'chat.postMessage', { channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 200 });
    } finally {
      await new Promise((resolve) => garbled.close(resolve));
    }
  });
});
