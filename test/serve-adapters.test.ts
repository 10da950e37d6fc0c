import { qualify } from '../src/domain/person-id.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Adapter, AdapterFactory } from '../src/app/adapter.js';
import { AdapterStartError } from '../src/app/adapter.js';
import type { Channel } from '../src/domain/release.js';
import type { Platform } from '../src/domain/primitives.js';
import { renderText } from '../adapters/console/render-text.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { openInboxFile } from '../store/inbox-file.js';
import { serve } from '../src/serve.js';
import { SlackHarness, CHANNEL } from './support/slack-harness.js';
import { TestClock } from './support/test-clock.js';

// `serve` with Slack and a second platform at once: a minimal adapter defined here, which mounts
// a path on the shared server, takes plain text at it, and records what it is asked to do.

const PATH = '/test/messages';
const CONVERSATION: Channel = { platform: 'teams', id: 'conv-1' };

interface Recorded {
  events: string[];
  posts: Array<{ channel: Channel; title: string }>;
}

function recordingAdapter(recorded: Recorded, options: { platform?: Platform; failStart?: string; path?: string } = {}): AdapterFactory {
  const platform = options.platform ?? 'teams';
  return (deps): Adapter => ({
    platform,
    mounts: [
      {
        path: options.path ?? PATH,
        // A person's line, through the one app, answered in the response body.
        listener: (req, res) =>
          deps.inflight.run(async () => {
            const chunks: Buffer[] = [];
            for await (const chunk of req) chunks.push(chunk as Buffer);
            const text = Buffer.concat(chunks).toString('utf8');
            const result = await deps.app.handle({ actor: { id: qualify(platform, 'tina'), platform }, channel: CONVERSATION, text });
            deps.kickOutbox();
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(result.replies.map((reply) => (reply.kind === 'view' ? renderText(reply.view) : '')).join('\n'));
          }),
      },
    ],
    start: async () => {
      recorded.events.push(`${platform} start`);
      if (options.failStart) throw new Error(options.failStart);
    },
    stop: async () => {
      recorded.events.push(`${platform} stop`);
    },
    chat: {
      post: async (channel, view) => {
        recorded.posts.push({ channel, title: view.title });
        return { ref: `ref-${recorded.posts.length}` };
      },
      update: async (channel, _ref, view) => {
        recorded.posts.push({ channel, title: `(edit) ${view.title}` });
      },
      dm: async () => ({ ref: 'dm' }),
    },
    directory: { expandGroup: async (id) => [`${id}/a`, `${id}/b`] },
    tell: async () => undefined,
  });
}

describe('serving several platforms at once', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('starts both, serves each at its path on one port, shares one app and store, and stops both', async () => {
    const recorded: Recorded = { events: [], posts: [] };
    h = await SlackHarness.open('2019-11-07T09:00:00Z', undefined, {}, { adapters: [recordingAdapter(recorded)] });
    expect(recorded.events).toEqual(['teams start']);
    expect(h.fake.callsTo('auth.test')).toHaveLength(1);
    expect(h.serving.adapters.map((adapter) => adapter.platform)).toEqual(['slack', 'teams']);

    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const get = await fetch(`${h.url}${PATH}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${h.url}/nowhere`, { method: 'POST' })).status).toBe(404);

    // A checklist asked for on the second platform goes out through its own port...
    const made = await fetch(`${h.url}${PATH}`, { method: 'POST', body: '/release create "Second platform" 2019-11-29 --id second' });
    expect(made.status).toBe(200);
    expect(await made.text()).toContain('Second platform');
    await fetch(`${h.url}${PATH}`, { method: 'POST', body: '/release ask' });
    await h.settled();
    expect(recorded.posts).toEqual([{ channel: CONVERSATION, title: expect.stringContaining('Second platform') }]);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);

    // ...and one asked for in Slack through Slack's; each platform sees the other's, in the one store.
    await h.command('URITA', 'create "From Slack" 2019-11-29 --id from-slack');
    const announced = h.fake.callsTo('chat.postMessage').length;
    await h.command('URITA', 'ask');
    expect(h.fake.callsTo('chat.postMessage').slice(announced)).toMatchObject([{ body: { channel: CHANNEL, text: expect.stringContaining('From Slack') } }]);
    expect(recorded.posts).toHaveLength(1);
    expect((await h.command('URITA', 'list')).reply).toContain('Second platform');
    const listed = await fetch(`${h.url}${PATH}`, { method: 'POST', body: '/release list' });
    expect(await listed.text()).toContain('From Slack');

    // A group is expanded by the directory of the platform its id names.
    expect(await h.serving.app.deps.directory.expandGroup('teams:G1')).toEqual(['teams:G1/a', 'teams:G1/b']);
    await expect(h.serving.app.deps.directory.expandGroup('slack:S1')).rejects.toThrow('Could not read the members of user group S1');
    expect(h.fake.callsTo('usergroups.users.list')).toHaveLength(1);
    // A group of a platform not served here is refused, not guessed.
    await expect(h.serving.app.deps.directory.expandGroup('console:ops')).rejects.toThrow('which golive is not connected to here');

    await h.close();
    h = undefined;
    expect(recorded.events).toEqual(['teams start', 'teams stop']);
  });

  it('stops start-up with the message of the adapter that failed, and stops the ones that started', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'golive-serve-'));
    const store = await openLowdbStore(dir);
    const inbox = await openInboxFile(dir);
    const recorded: Recorded = { events: [], posts: [] };
    try {
      const failed = await serve({
        adapters: [recordingAdapter(recorded, { platform: 'teams' }), recordingAdapter(recorded, { platform: 'slack', failStart: 'the token was refused', path: '/other' })],
        store,
        inbox,
        clock: new TestClock('2019-11-07T09:00:00Z'),
        port: 0,
        host: '127.0.0.1',
        log: () => undefined,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(AdapterStartError);
      expect((failed as Error).message).toBe('slack did not start: the token was refused');
      expect(recorded.events.sort()).toEqual(['slack start', 'teams start', 'teams stop']);
    } finally {
      await inbox.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses two adapters for one platform, or two for one path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'golive-serve-'));
    const store = await openLowdbStore(dir);
    const inbox = await openInboxFile(dir);
    const recorded: Recorded = { events: [], posts: [] };
    const options = { store, inbox, clock: new TestClock('2019-11-07T09:00:00Z'), port: 0, host: '127.0.0.1', log: () => undefined };
    try {
      await expect(serve({ ...options, adapters: [recordingAdapter(recorded), recordingAdapter(recorded, { path: '/other' })] })).rejects.toThrow('Two adapters for Teams');
      await expect(serve({ ...options, adapters: [recordingAdapter(recorded, { platform: 'slack' }), recordingAdapter(recorded)] })).rejects.toThrow(`Two listeners for ${PATH}`);
      expect(recorded.events).toEqual([]);
    } finally {
      await inbox.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
