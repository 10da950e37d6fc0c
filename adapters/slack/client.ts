import { LogLevel, webApi } from '@slack/bolt';

import type { SlackConfig } from '../../src/config.js';

/**
 * One Web API call's longest wait. The WebClient waits for ever by default; a delivery (at most
 * four calls: conversations.open, two pages of history, the post) must end within
 * DELIVERY_TIMEOUT_MS, while the outbox's claim on the message holds.
 */
export const SLACK_CALL_TIMEOUT_MS = 10_000;

/**
 * The WebClient's own retries would re-post a message whose first attempt may have landed and
 * would stall its whole queue on a 429; golive's outbox retries instead, with its own key.
 */
export function slackClientOptions(config: SlackConfig, timeoutMs = SLACK_CALL_TIMEOUT_MS): webApi.WebClientOptions {
  return {
    ...(config.apiUrl && { slackApiUrl: config.apiUrl }),
    timeout: timeoutMs,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  };
}

export function createSlackClient(config: SlackConfig): webApi.WebClient {
  return new webApi.WebClient(config.botToken, slackClientOptions(config));
}
