import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { ReleaseFs } from '../../store/json/release-fs.js';
import { openLowdbStore } from '../../store/lowdb-store.js';
import { openInboxFile, type FileInbox, type InboxFs } from '../../store/inbox-file.js';
import { openIdentityFile } from '../../store/identity-file.js';
import { serve, type Serving } from '../../src/serve.js';
import type { Store } from '../../src/app/store-port.js';
import { recordOf, type FullRecord } from './store-records.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { blockAction, slashCommand, viewSubmission } from './slack-requests.js';
import { TestClock } from './test-clock.js';
import { recordVerifier, type AuditPolicy } from '../../src/app/record-check.js';
import { createSlackAdapter } from '../../adapters/slack/bolt-app.js';
import type { AdapterFactory } from '../../src/app/adapter.js';
import type { DurableFs } from '../../store/durable-json-file.js';

export const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'.replace(/[^0-9a-f]/g, 'a');
export const CHANNEL = 'C0RELEASE';

export interface HarnessOptions {
  hookSecret?: string;
  schedule?: boolean;
  /** The store's file system for index.json, for a disk that fails on demand. */
  fs?: DurableFs;
  /** The store's file system for the release files (store/json/release-fs.ts), for a disk that fails on demand. */
  releaseFs?: ReleaseFs;
  /** More platforms served beside Slack. */
  adapters?: AdapterFactory[];
  /** The inbox's file system, for a disk that fails on demand. */
  inboxFs?: InboxFs;
}

/**
 * golive serving Slack for real (Bolt's HTTP receiver on an ephemeral loopback port) against a
 * fake Slack Web API, on a real store in a temp folder, with a clock the test sets.
 */
export class SlackHarness {
  private constructor(
    /** Everything golive logged, Bolt's own warnings included. */
    readonly logs: string[],
    readonly dir: string,
    readonly store: Store,
    readonly inbox: FileInbox,
    readonly fake: FakeSlack,
    readonly serving: Serving,
    readonly clock: TestClock,
  ) {}

  /** On a fresh temp folder, or on `dir` as a restart would find it; the store opened as start-up does. */
  static async open(start = '2019-11-07T09:00:00Z', folder?: string, audit: AuditPolicy = {}, options: HarnessOptions = {}): Promise<SlackHarness> {
    const dir = folder ?? (await mkdtemp(join(tmpdir(), 'golive-slack-')));
    const store = await openLowdbStore(dir, { verify: recordVerifier(audit), ...(options.fs && { fs: options.fs }), ...(options.releaseFs && { releaseFs: options.releaseFs }) });
    const fake = await startFakeSlack();
    const clock = new TestClock(start);
    const logs: string[] = [];
    const inbox = await openInboxFile(dir, { log: (m) => logs.push(m), ...(options.inboxFs && { fs: options.inboxFs }) });
    // As main.ts does: the identity record lives beside the releases.
    const identities = await openIdentityFile(dir, { ...(audit.key && { key: audit.key }) });
    const slack: AdapterFactory = (deps) => createSlackAdapter({ botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: fake.url }, deps);
    const serving = await serve({
      adapters: [slack, ...(options.adapters ?? [])],
      store,
      inbox,
      clock,
      port: 0,
      host: '127.0.0.1',
      log: (m) => logs.push(m),
      audit,
      identities,
      ...(options.hookSecret && { hookSecret: options.hookSecret }),
      ...(options.schedule && { schedule: { everyMs: 2 ** 31 - 1 } }),
    });
    // Tests look at what golive did on start only once it has done it.
    await serving.caughtUp;
    return new SlackHarness(logs, dir, store, inbox, fake, serving, clock);
  }

  get url(): string {
    return `http://127.0.0.1:${this.serving.port}`;
  }

  /** The release's whole record, read through the store. */
  doc(id: string): Promise<FullRecord> {
    return recordOf(this.store, id);
  }

  /** Sends `/release <text>` as `userId` and waits until golive has answered it. */
  async command(userId: string, text: string, channelId = CHANNEL): Promise<{ status: number; reply: string }> {
    const before = this.fake.calls.length;
    const response = await slashCommand(this.url, SECRET, { text, userId, channelId });
    await this.settled(before);
    return { status: response.status, reply: this.repliesSince(before, userId) };
  }

  async click(userId: string, actionId: string, value: string, options: { channelId?: string; messageTs?: string } = {}): Promise<{ status: number }> {
    const before = this.fake.calls.length;
    const response = await blockAction(this.url, SECRET, { userId, channelId: options.channelId ?? CHANNEL, messageTs: options.messageTs ?? '1.000', actionId, value });
    await this.settled(before);
    return { status: response.status };
  }

  async submit(userId: string, callbackId: string, privateMetadata: string, values: Record<string, Record<string, string>>): Promise<{ status: number; json?: unknown }> {
    const before = this.fake.calls.length;
    const response = await viewSubmission(this.url, SECRET, { userId, callbackId, privateMetadata, values });
    await this.settled(before);
    return { status: response.status, json: response.json };
  }

  /** Waits for the work the listener does after its ack, then for the outbox to go round. */
  async settled(_before?: number): Promise<void> {
    await this.serving.idle();
    await this.serving.outbox.kick();
  }

  /** For events, which Bolt acknowledges before the listener starts: wait for a call to arrive. */
  async callTo(method: string, count = 1): Promise<void> {
    await vi.waitFor(
      () => {
        if (this.fake.callsTo(method).length < count) throw new Error(`no ${method} yet`);
      },
      { timeout: 5000, interval: 5 },
    );
    await this.serving.idle();
  }

  /** The text of everything shown privately to `userId` since call number `before`. */
  repliesSince(before: number, userId: string): string {
    return this.fake.calls
      .slice(before)
      .filter((c) => c.method === 'chat.postEphemeral' && c.body.user === userId)
      .map((c) => JSON.stringify(c.body.blocks ?? c.body.text))
      .join('\n');
  }

  async close(remove = true): Promise<void> {
    await this.serving.close();
    await this.inbox.close();
    await this.store.close();
    await this.fake.close();
    if (remove) await rm(this.dir, { recursive: true, force: true });
  }
}
