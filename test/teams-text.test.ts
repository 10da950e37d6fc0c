import { afterEach, describe, expect, it } from 'vitest';
import { getAuthConfigWithDefaults, HttpError } from '@microsoft/agents-hosting';
import { deliveryError, retryAfterMs } from '../adapters/teams/connector.js';
import { commandLine, mentionsIn, plainText } from '../adapters/teams/message-text.js';
import { sdkAuthConfiguration } from '../adapters/teams/teams-config.js';
import { createTeamsAdapter, TeamsStartError } from '../adapters/teams/teams-adapter.js';
import type { AdapterDeps } from '../src/app/adapter.js';
import { RetryLater } from '../src/app/delivery/chat-port.js';
import { parse } from '../src/app/language/parser.js';

// The small translations the Teams adapter makes: Teams' HTML and mentions into the neutral
// command line, the connector's errors into the outbox's, golive's settings into the SDK's.

const BOT = '28:golive-bot';
const mention = (id: string, name: string, type?: string) => ({ type: 'mention', text: `<at>${name}</at>`, mentioned: { id, name, ...(type && { type }) } });

describe('a Teams message as the grammar reads it', () => {
  it('drops golive’s own mention and writes people and tags in the neutral form', () => {
    const entities = mentionsIn([mention(BOT, 'golive'), mention('29:1dan', 'Dan Daly'), mention('0f3a9b2c-tag', 'Ops team', 'tag'), { type: 'clientInfo', locale: 'en-GB' }]);
    const text = plainText('<p><at>golive</at> release role DCC <at>Dan Daly</at> and <at>Ops team</at></p>', entities, BOT);
    expect(text).toBe('release role DCC @teams:29:1dan and @@teams:0f3a9b2c-tag');
  });

  it('reads each mention where it stands, also two people with the same name', () => {
    const entities = mentionsIn([mention('29:1first', 'Alex'), mention('29:1second', 'Alex')]);
    expect(plainText('<at>Alex</at>, <at>Alex</at>', entities, BOT)).toBe('@teams:29:1first , @teams:29:1second');
  });

  it('keeps the name of a mention it cannot place (another bot, no entity)', () => {
    const entities = mentionsIn([mention('28:other-bot', 'Helper')]);
    expect(plainText('ask <at>Helper</at> and <at>Nobody</at>', entities, BOT)).toBe('ask Helper and Nobody');
  });

  it('decodes entities once, after dropping tags, so typed markup stays text', () => {
    expect(plainText('<div>release risk add "a &lt;b&gt; &amp;amp; c&nbsp;d &#x1F680; &#39;q&#39;"</div>', [], BOT)).toBe(`release risk add "a <b> &amp; c d 🚀 'q'"`);
    expect(plainText('one<br>two</p><p>three', [], BOT)).toBe('one\ntwo\nthree');
    expect(plainText('&bogus; &#0; &#xD800;', [], BOT)).toBe('&bogus; &#0; &#xD800;');
  });

  it('knows a release command written with or without the slash, and nothing else', () => {
    expect(commandLine('release status')).toBe('/release status');
    expect(commandLine('/release status --public')).toBe('/release status --public');
    expect(commandLine('Release Status')).toBe('/release Status');
    expect(commandLine('release')).toBe('/release');
    expect(commandLine('release confirm code-ready met\n"all good"')).toBe('/release confirm code-ready met "all good"');
    for (const other of ['releases', 'please release status', 'hello', '', '/releasestatus']) expect(commandLine(other), other).toBeUndefined();
  });

  it('gives the parser a person it accepts', () => {
    const line = commandLine(plainText('release role DCC <at>Dan Daly</at>', mentionsIn([mention('29:1AbC-d_e', 'Dan Daly')]), BOT))!;
    const parsed = parse(line);
    expect(parsed.ok && parsed.value.command).toMatchObject({ name: 'role', users: [{ kind: 'user', id: 'teams:29:1AbC-d_e' }] });
  });
});

describe('the Bot Connector’s errors as the outbox reads them', () => {
  const now = new Date('2019-11-07T09:00:00Z');
  const httpError = (status: number, headers: Record<string, string> = {}) =>
    new HttpError(
      `Request failed with status ${status}`,
      { data: {}, status, statusText: '', headers: new Headers(headers), config: { method: 'post', url: 'v3/x' } },
      { method: 'post', url: 'v3/x' },
    );

  it('waits as long as a 429 says, in seconds or as a date', () => {
    expect(deliveryError(httpError(429, { 'retry-after': '7' }), now)).toEqual(expect.objectContaining({ name: 'RetryLater', afterMs: 7000 }));
    expect((deliveryError(httpError(429, { 'retry-after': 'Thu, 07 Nov 2019 09:01:00 GMT' }), now) as RetryLater).afterMs).toBe(60_000);
    expect((deliveryError(httpError(429), now) as RetryLater).afterMs).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('tries a server error or a failed connection again, and nothing else', () => {
    expect(deliveryError(httpError(500), now)).toBeInstanceOf(RetryLater);
    expect(deliveryError(httpError(503, { 'retry-after': '3' }), now)).toEqual(expect.objectContaining({ afterMs: 3000 }));
    expect(deliveryError(new TypeError('fetch failed'), now)).toBeInstanceOf(RetryLater);
    for (const status of [400, 401, 403, 404, 413]) expect(deliveryError(httpError(status), now), String(status)).not.toBeInstanceOf(RetryLater);
    expect(deliveryError(new Error('no reference'), now)).not.toBeInstanceOf(RetryLater);
  });
});

describe('the SDK’s auth configuration, from golive’s settings only', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('takes nothing from the environment the SDK would otherwise read', () => {
    // TEST_MODE makes the SDK read the environment again on each call.
    Object.assign(process.env, { TEST_MODE: 'true', clientId: 'from-the-env', clientSecret: 'env-secret', tenantId: 'env-tenant', certPemFile: '/tmp/x.pem' });
    const local = getAuthConfigWithDefaults(sdkAuthConfiguration({ mode: 'local' }));
    expect(local.clientId).toBeUndefined();
    expect(local.certPemFile).toBeUndefined();
    const bot = getAuthConfigWithDefaults(sdkAuthConfiguration({ mode: 'bot', appId: 'app-1', password: 'pw', tenantId: 'tenant-1', appType: 'SingleTenant' }));
    expect(bot).toMatchObject({ clientId: 'app-1', clientSecret: 'pw', tenantId: 'tenant-1', authType: 'ClientSecret', validateIssuer: true });
    expect(bot.certPemFile).toBeUndefined();
  });

  it('refuses the anonymous local mode under NODE_ENV=production, saying why, before serving anything', () => {
    process.env.NODE_ENV = 'production';
    const deps = {} as AdapterDeps;
    expect(() => createTeamsAdapter({ mode: 'local' }, deps, { dataDir: '/nonexistent' })).toThrow(TeamsStartError);
    expect(() => createTeamsAdapter({ mode: 'local' }, deps, { dataDir: '/nonexistent' })).toThrow(/TEAMS_LOCAL=1 is for local tools and cannot run with NODE_ENV=production/);
    // With an app id, production is what it is for.
    expect(() => createTeamsAdapter({ mode: 'bot', appId: 'a', password: 'p', appType: 'MultiTenant' }, deps, { dataDir: '/nonexistent' })).not.toThrow();
  });

  it('maps the app types: multi-tenant uses Bot Framework’s tenant, a managed identity no secret', () => {
    expect(sdkAuthConfiguration({ mode: 'bot', appId: 'a', password: 'p', tenantId: 't', appType: 'MultiTenant' })).toMatchObject({ clientId: 'a', tenantId: undefined, authType: 'ClientSecret' });
    expect(sdkAuthConfiguration({ mode: 'bot', appId: 'a', password: 'p', tenantId: 't', appType: 'UserAssignedMSI' })).toMatchObject({
      clientId: 'a',
      clientSecret: undefined,
      tenantId: 't',
      authType: 'UserManagedIdentity',
    });
  });
});
