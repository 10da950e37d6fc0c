import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSlackAdapter } from '../adapters/slack/bolt-app.js';
import { serve } from '../src/serve.js';
import { openInboxFile } from '../store/inbox-file.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { slashCommand } from '../test/support/slack-requests.js';
import { BOT_TOKEN, SIGNING_SECRET } from './compiled-golive.js';
import { rateLimitedSlack } from './rate-limited-slack.js';
import { round, type Figure } from './results.js';

const CHANNELS = 50;
const RITA = 'U0RITA';
const DAN = 'U0DAN';

/**
 * One answer on a release linked to CHANNELS Slack channels: golive's real server and outbox (in
 * this process, as main.ts serves it: kicked by the answer, waking itself for a Retry-After, and
 * no poll) against the fake Web API behind a per-channel rate limit. Time from the answer until
 * every channel's checklist shows it, the calls made, the 429s answered, and that each channel got
 * exactly one successful update (it throws otherwise). `limited`: one in five channels is refused
 * once with Retry-After: 1, so the figure is at least a second: Slack's own limit.
 */
export async function benchFanOut(limited: boolean): Promise<Figure> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-bench-fanout-'));
  const fake = await startFakeSlack();
  const limiter = await rateLimitedSlack(fake.origin);
  const store = await openLowdbStore(dir);
  const inbox = await openInboxFile(dir);
  const logs: string[] = [];
  const serving = await serve({
    adapters: [(deps) => createSlackAdapter({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: limiter.url }, deps)],
    store,
    inbox,
    clock: { now: () => new Date() },
    port: 0,
    host: '127.0.0.1',
    log: (message) => void logs.push(message),
    outboxWakes: true,
  });
  const url = `http://127.0.0.1:${serving.port}`;
  const channel = (n: number) => `C0FAN${String(n).padStart(3, '0')}`;
  const command = async (userId: string, text: string, channelId = channel(0)) => {
    const response = await slashCommand(url, SIGNING_SECRET, { text, userId, channelId });
    if (response.status !== 200) throw new Error(`/release ${text} answered ${response.status}: ${response.text}`);
    await serving.idle();
  };
  const updatesIn = (id: string) => fake.calls.filter((c) => c.method === 'chat.update' && c.body.channel === id && !c.failed).length;
  try {
    await command(RITA, 'create "Fan-out" 2030-11-29 --id fan');
    await command(RITA, `role DCC <@${DAN}>`);
    for (let n = 0; n < CHANNELS; n++) await command(RITA, 'link --release fan', channel(n));
    await command(RITA, 'ask');
    // Every channel's checklist posted, and the per-channel window passed, before the answer.
    await until(() => Array.from({ length: CHANNELS }, (_, n) => channel(n)).every((id) => fake.messagesIn(id).length > 0), 60_000, 'the checklists to be posted');
    // And everything else said so far (channel 0 hears every command, and its limit refuses some).
    await untilAsync(async () => (await store.outbox('fan')).every((m) => m.status !== 'pending'), 60_000, 'the outbox to be empty');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    fake.reset();
    limiter.refused = 0;
    if (limited) for (let n = 0; n < CHANNELS; n += 5) limiter.refuseOnce.add(channel(n));
    const started = performance.now();
    await command(DAN, 'confirm 1 met --evidence https://example.org/fan');
    const ids = Array.from({ length: CHANNELS }, (_, n) => channel(n));
    await until(() => ids.every((id) => updatesIn(id) >= 1), 120_000, 'every channel to be updated');
    const allMs = performance.now() - started;
    // Anything sent twice would arrive soon after: wait a moment longer before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const twice = ids.filter((id) => updatesIn(id) !== 1);
    if (twice.length > 0) throw new Error(`fan-out: not updated exactly once in ${twice.join(' ')}`);
    return {
      channels: CHANNELS,
      rateLimited: limited ? `${CHANNELS / 5} channels refused once (429, Retry-After 1)` : 'no',
      untilAllUpdatedMs: round(allMs, 0),
      callsMade: fake.calls.filter((c) => c.method === 'chat.update' || c.method === 'chat.postMessage').length + limiter.refused,
      refused429: limiter.refused,
      eachDeliveredOnce: true,
    };
  } catch (error) {
    console.error(logs.join('\n'));
    throw error;
  } finally {
    await serving.close();
    await inbox.close?.();
    await store.close();
    await limiter.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function until(done: () => boolean, withinMs: number, what: string): Promise<void> {
  const giveUp = performance.now() + withinMs;
  while (!done()) {
    if (performance.now() > giveUp) throw new Error(`gave up waiting for ${what} after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function untilAsync(done: () => Promise<boolean>, withinMs: number, what: string): Promise<void> {
  const giveUp = performance.now() + withinMs;
  while (!(await done())) {
    if (performance.now() > giveUp) throw new Error(`gave up waiting for ${what} after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
