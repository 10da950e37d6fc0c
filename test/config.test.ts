import { describe, expect, it } from 'vitest';
import { readConfig, slackConfig, teamsConfig } from '../src/config.js';

describe('configuration', () => {
  it('runs the console on ./data with nothing set', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ GOLIVE_DATA_DIR: './data', PORT: 3000, GOLIVE_CONSOLE_CHANNEL: 'general' });
    expect(slackConfig(config)).toBeUndefined();
  });

  it('turns Slack on with a bot token and a signing secret, or an app token for Socket Mode', () => {
    expect(slackConfig(readConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'abcdef0123456789', PORT: '8080' }))).toEqual({ botToken: 'xoxb-1-2', signingSecret: 'abcdef0123456789' });
    expect(slackConfig(readConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_APP_TOKEN: 'xapp-1-A-2', SLACK_API_URL: 'http://127.0.0.1:9/api' }))).toEqual({
      botToken: 'xoxb-1-2',
      appToken: 'xapp-1-A-2',
      apiUrl: 'http://127.0.0.1:9/api/',
    });
  });

  it('takes a PostgreSQL DATABASE_URL, and names the variable when it is something else', () => {
    expect(readConfig({ DATABASE_URL: 'postgres://golive@db.example.org:5432/golive' }).DATABASE_URL).toBe('postgres://golive@db.example.org:5432/golive');
    expect(readConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
    expect(() => readConfig({ DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL: must be a PostgreSQL URL/);
  });

  it('reads the webhook secret, and leaves the hooks off when it is empty', () => {
    expect(readConfig({ GOLIVE_HOOK_SECRET: 'x'.repeat(32) }).GOLIVE_HOOK_SECRET).toBe('x'.repeat(32));
    expect(readConfig({ GOLIVE_HOOK_SECRET: '' }).GOLIVE_HOOK_SECRET).toBeUndefined();
  });

  it.each([
    [{ SLACK_SIGNING_SECRET: 'abcdef0123456789' }, 'SLACK_BOT_TOKEN: is required'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET: is required'],
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_APP_TOKEN: 'xapp-1' }, 'SLACK_BOT_TOKEN: must be a bot token'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-1' }, 'SLACK_APP_TOKEN: must be an app-level token'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_API_URL: 'ftp://x' }, 'SLACK_API_URL'],
    [{ PORT: 'eighty' }, 'PORT: must be a port number'],
    [{ PORT: '70000' }, 'PORT: must be 1 to 65535'],
    [{ GOLIVE_CLOCK_START: 'tomorrow' }, 'GOLIVE_CLOCK_START: must be an ISO 8601 timestamp'],
    [{ GOLIVE_HOOK_SECRET: 'too-short-a-secret' }, 'GOLIVE_HOOK_SECRET: must be a secret of at least 32 characters'],
  ])('names the variable that is wrong: %o', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});

describe('Teams settings', () => {
  const APP = '11111111-2222-3333-4444-555555555555';
  const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

  it('leaves Teams off with nothing set, and with TEAMS_LOCAL=0 or empty values', () => {
    expect(teamsConfig(readConfig({}))).toBeUndefined();
    expect(teamsConfig(readConfig({ TEAMS_LOCAL: '0', MICROSOFT_APP_ID: '', MICROSOFT_APP_PASSWORD: '' }))).toBeUndefined();
  });

  it('turns Teams on with an app id and its password, multi-tenant unless told otherwise', () => {
    expect(teamsConfig(readConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 's3cret~value' }))).toEqual({ mode: 'bot', appId: APP, password: 's3cret~value', appType: 'MultiTenant' });
    expect(teamsConfig(readConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'SingleTenant' }))).toEqual({
      mode: 'bot',
      appId: APP,
      password: 'x',
      tenantId: TENANT,
      appType: 'SingleTenant',
    });
    // A managed identity signs in without a password.
    expect(teamsConfig(readConfig({ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'UserAssignedMSI' }))).toEqual({
      mode: 'bot',
      appId: APP,
      tenantId: TENANT,
      appType: 'UserAssignedMSI',
    });
  });

  it('turns on the anonymous local mode with TEAMS_LOCAL=1, beside Slack too', () => {
    expect(teamsConfig(readConfig({ TEAMS_LOCAL: '1' }))).toEqual({ mode: 'local' });
    const both = readConfig({ TEAMS_LOCAL: '1', SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_APP_TOKEN: 'xapp-1-A-2' });
    expect(teamsConfig(both)).toEqual({ mode: 'local' });
    expect(slackConfig(both)).toMatchObject({ botToken: 'xoxb-1-2' });
  });

  it.each([
    [{ MICROSOFT_APP_ID: 'my-bot', MICROSOFT_APP_PASSWORD: 'x' }, "MICROSOFT_APP_ID: must be the bot's Microsoft app (client) id, a GUID"],
    [{ MICROSOFT_APP_ID: APP }, 'MICROSOFT_APP_PASSWORD: is required with MICROSOFT_APP_ID'],
    [{ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x'.repeat(1025) }, 'MICROSOFT_APP_PASSWORD: must be at most 1024 characters'],
    [{ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: 'contoso' }, 'MICROSOFT_APP_TENANT_ID: must be the Microsoft Entra tenant (directory) id, a GUID'],
    [{ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TYPE: 'SingleTenant' }, 'MICROSOFT_APP_TENANT_ID: is required when MICROSOFT_APP_TYPE is SingleTenant'],
    [{ MICROSOFT_APP_ID: APP, MICROSOFT_APP_TYPE: 'UserAssignedMSI' }, 'MICROSOFT_APP_TENANT_ID: is required when MICROSOFT_APP_TYPE is UserAssignedMSI'],
    [
      { MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'UserAssignedMSI' },
      'MICROSOFT_APP_PASSWORD: is not used with MICROSOFT_APP_TYPE=UserAssignedMSI',
    ],
    [{ MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x', MICROSOFT_APP_TYPE: 'multitenant' }, 'MICROSOFT_APP_TYPE: must be one of MultiTenant, SingleTenant, UserAssignedMSI'],
    [{ MICROSOFT_APP_PASSWORD: 'x' }, 'MICROSOFT_APP_ID: is required when MICROSOFT_APP_PASSWORD is set'],
    [{ MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'SingleTenant' }, 'MICROSOFT_APP_ID: is required when MICROSOFT_APP_TENANT_ID or MICROSOFT_APP_TYPE is set'],
    [{ TEAMS_LOCAL: 'yes' }, 'TEAMS_LOCAL: must be 1'],
    [{ TEAMS_LOCAL: '1', MICROSOFT_APP_ID: APP, MICROSOFT_APP_PASSWORD: 'x' }, 'TEAMS_LOCAL: asks for the anonymous local mode, which takes no app id'],
    [{ TEAMS_LOCAL: '1', MICROSOFT_APP_PASSWORD: 'x' }, 'MICROSOFT_APP_PASSWORD: is not used in the anonymous local mode (TEAMS_LOCAL=1)'],
  ])('names the Teams variable that is wrong: %o', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
