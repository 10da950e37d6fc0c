import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../adapters/teams/loopback.js';
import { LOCAL_MODE_NOTICE } from '../adapters/teams/teams-adapter.js';
import { TeamsHarness } from './support/teams-harness.js';

// The door: who may post to /api/messages, and what happens to a body that is not an activity.

const RITA = { id: '29:1rita-reyes', name: 'Rita Reyes' };
const APP_ID = '3c5d2f1a-8b7e-4d6c-9a0b-1e2f3a4b5c6d';

/** This machine's own non-loopback IPv4 address, if it has one: a request from it is not loopback. */
const ownAddress = Object.values(networkInterfaces())
  .flat()
  .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;

describe('Teams local mode (TEAMS_LOCAL=1): anonymous, this machine only', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    // Listening on every interface, so a request can come from a non-loopback address.
    h = await TeamsHarness.open({ host: ownAddress ? '0.0.0.0' : '127.0.0.1' });
  });
  afterAll(() => h.close());

  it('says at start that it is anonymous and takes loopback requests only, once', () => {
    expect(h.logs.filter((line) => line === LOCAL_MODE_NOTICE)).toHaveLength(1);
  });

  it('answers a request from 127.0.0.1', async () => {
    const sent = await h.send(h.activities.message(RITA, 'release help', { kind: 'personal', id: h.fake.personalChatOf(RITA.id) }));
    expect(sent.status).toBe(200);
    const [reply] = h.fake.messagesIn(h.fake.personalChatOf(RITA.id));
    expect(JSON.stringify(reply?.body)).toContain('golive help');
  });

  it.skipIf(ownAddress === undefined)('refuses the same request from a non-loopback address with 403, and does nothing', async () => {
    const before = h.fake.calls.length;
    const sent = await h.send(h.activities.message(RITA, 'release help', { kind: 'personal', id: h.fake.personalChatOf(RITA.id) }), { host: ownAddress!, localAddress: ownAddress! });
    expect(sent.status).toBe(403);
    expect(sent.text).toContain('only requests from this machine');
    expect(h.fake.calls.length).toBe(before);
    expect(h.inbox.unfinished()).toEqual([]);
  });

  it('tells loopback addresses from others', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3']) expect(isLoopback(address), address).toBe(true);
    for (const address of [undefined, '', '10.0.0.1', '192.0.2.2', '::ffff:10.0.0.1', '::2', 'fd00::1', '128.0.0.1', '127.0.0.256', '1127.0.0.1', 'localhost']) {
      expect(isLoopback(address), String(address)).toBe(false);
    }
  });

  it('answers a body that is not an activity with 400, and keeps serving', async () => {
    const before = h.fake.calls.length;
    const whole = JSON.stringify(h.activities.message(RITA, 'release help', { kind: 'personal', id: h.fake.personalChatOf(RITA.id) }));
    const bad = [
      whole.slice(0, whole.length / 2),
      'not json at all',
      '[]',
      'null',
      '{"type":"message"}',
      JSON.stringify({ ...JSON.parse(whole), serviceUrl: 'javascript:alert(1)' }),
      JSON.stringify({ ...JSON.parse(whole), conversation: {} }),
      // Past golive's own check, refused by the SDK's reading of an activity.
      JSON.stringify({ ...JSON.parse(whole), locale: 42 }),
      JSON.stringify({ ...JSON.parse(whole), attachments: 'not a list' }),
    ];
    for (const body of bad) {
      const sent = await h.send(body);
      expect(sent.status, body.slice(0, 60)).toBe(400);
    }
    expect(h.fake.calls.length).toBe(before);
    expect(h.inbox.unfinished()).toEqual([]);
    const after = await h.send(h.activities.message(RITA, 'release help', { kind: 'personal', id: h.fake.personalChatOf(RITA.id) }));
    expect(after.status).toBe(200);
    expect(h.fake.calls.length).toBe(before + 1);
  });

  it('refuses a body over the size limit unread (413) and anything but POST', async () => {
    const huge = JSON.stringify({ ...h.activities.message(RITA, 'release help', { kind: 'groupChat' }), text: 'x'.repeat(1100 * 1024) });
    expect((await h.send(huge)).status).toBe(413);
    const get = await fetch(h.url, { method: 'GET' });
    expect(get.status).toBe(405);
  });
});

describe('Teams with an app id (bot mode): the Bot Service token is checked first', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await TeamsHarness.open({ config: { mode: 'bot', appId: APP_ID, password: 'not-a-real-secret', tenantId: '8a1c6a5e-0c0f-4c3b-9d0e-5b2f0e6d7a11', appType: 'SingleTenant' } });
  });
  afterAll(() => h.close());

  /** An unsigned JWT: its claims are read, but nothing signs it. */
  const token = (claims: object) =>
    `${Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJl`;

  it('does not announce the anonymous mode', () => {
    expect(h.logs).not.toContain(LOCAL_MODE_NOTICE);
  });

  it('refuses a request without a token, with a garbage token, and with a token for another bot: 401, nothing handled', async () => {
    const activity = h.activities.message(RITA, 'release create "Sneaky" 2019-11-29 --template sec-release --id sneaky', { kind: 'channel' });
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer garbage' },
      { authorization: 'Basic cml0YTpwYXNzd29yZA==' },
      { authorization: `Bearer ${token({ aud: 'someone-else', iss: 'https://api.botframework.com', exp: 4_102_444_800 })}` },
    ];
    for (const headers of attempts) {
      const sent = await h.send(activity, { headers });
      expect(sent.status, JSON.stringify(headers)).toBe(401);
    }
    expect(await h.store.get('sneaky')).toBeUndefined();
    expect(h.inbox.unfinished()).toEqual([]);
    expect(h.fake.calls).toEqual([]);
  });

  it('refuses even a loopback request: in bot mode the token is what counts', async () => {
    const sent = await h.send('not even json');
    expect(sent.status).toBe(401);
  });
});
