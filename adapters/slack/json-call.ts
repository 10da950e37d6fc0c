import { webApi } from '@slack/bolt';
import { SLACK_CALL_TIMEOUT_MS } from './client.js';
import { headerText, send, type HttpAnswer } from '../http-send.js';

// Slack takes chat.postMessage, chat.postEphemeral and chat.update as JSON bodies, with the token
// in the Authorization header, and recommends them for messages with blocks. WebClient sends every
// call form-encoded: the blocks, JSON already, are percent-encoded again (a third larger), and it
// builds a debug line from the whole body even when debug logging is off. For a full checklist
// that was more work than the rest of an answer. These three calls go as JSON (through node's
// HTTP client: http-send.ts); a failure is WebClient's own error (platform, rate limit, HTTP,
// request), so callers handle them as before.

const CLOSE = Buffer.from('}');

export type ChatMethod = 'chat.postMessage' | 'chat.postEphemeral' | 'chat.update';

export type ChatResult = webApi.WebAPICallResult & { channel?: string; ts?: string };

/**
 * Calls `method` with `args` as a JSON body, the bot token and Web API address being `client`'s.
 * `blocksJson`, when given, is the `blocks` argument already serialised and encoded (blocks-json.ts).
 */
export async function chatCall(client: webApi.WebClient, method: ChatMethod, args: Record<string, unknown>, blocksJson?: Buffer): Promise<ChatResult> {
  const head = JSON.stringify(args);
  const body = blocksJson === undefined ? head : Buffer.concat([Buffer.from(`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"blocks":`), blocksJson, CLOSE]);
  let answer: HttpAnswer;
  try {
    answer = await send(`${client.slackApiUrl}${method}`, 'POST', { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${client.token ?? ''}` }, body, SLACK_CALL_TIMEOUT_MS);
  } catch (error) {
    throw new webApi.WebAPIRequestError(error instanceof Error ? error : new Error(String(error)));
  }
  if (answer.status === 429) throw new webApi.WebAPIRateLimitedError(retryAfterSeconds(headerText(answer.headers, 'retry-after')));
  const headers = () => Object.fromEntries(Object.keys(answer.headers).map((name) => [name, headerText(answer.headers, name) ?? '']));
  if (answer.status !== 200) throw new webApi.WebAPIHTTPError(answer.status, answer.statusText, headers(), answer.text);
  let result: ChatResult & { error?: string };
  try {
    result = JSON.parse(answer.text) as ChatResult & { error?: string };
  } catch {
    throw new webApi.WebAPIHTTPError(answer.status, 'not JSON', headers(), answer.text.slice(0, 200));
  }
  if (result.ok !== true) throw new webApi.WebAPIPlatformError({ ...result, ok: false, error: typeof result.error === 'string' ? result.error : 'unknown_error' });
  return result;
}

/** Slack's Retry-After is whole seconds; a missing or unreadable one is taken as one second. */
function retryAfterSeconds(header: string | null): number {
  const seconds = Number(header);
  return header !== null && header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
}
