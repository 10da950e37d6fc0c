import { describe, expect, it } from 'vitest';
import { readConfig, slackConfig } from '../src/config.js';

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
