import { LogLevel, webApi } from '@slack/bolt';

import type { SlackConfig } from '../../src/config.js';

/**
 * The WebClient's own retries would re-post a message whose first attempt may have landed and
 * would stall its whole queue on a 429; golive's outbox retries instead, with its own key.
 */
export function slackClientOptions(config: SlackConfig): webApi.WebClientOptions {
  return {
    ...(config.apiUrl && { slackApiUrl: config.apiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  };
}

export function createSlackClient(config: SlackConfig): webApi.WebClient {
  return new webApi.WebClient(config.botToken, slackClientOptions(config));
}
