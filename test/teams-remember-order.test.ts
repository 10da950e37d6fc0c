import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openConversationsFile } from '../adapters/teams/conversations-file.js';
import type { TeamsConversations } from '../adapters/teams/conversations.js';
import type { TeamsUser } from './support/teams-activities.js';
import { post, TeamsHarness } from './support/teams-harness.js';

// A message from someone golive has not met: their reference is saved alongside the request (at
// once, on a database two round trips in parallel), and Teams gets its response only once both
// are kept, so a restart after the response can still answer them in their personal chat.

const NEW: TeamsUser = { id: '29:1nina-new', name: 'Nina New' };

const turns = async (n: number) => {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('a Teams message and the references it brings', () => {
  let h: TeamsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is saved in the inbox while the person is remembered, and answered only once both are kept', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let remembering!: () => void;
    const asked = new Promise<void>((resolve) => (remembering = resolve));
    const dir = await mkdtemp(join(tmpdir(), 'golive-teams-order-'));
    h = await TeamsHarness.open({
      dir,
      conversations: async (now) => {
        const file = await openConversationsFile(dir, now);
        return new Proxy(file, {
          get: (target, key) =>
            key === 'remember'
              ? async (...args: Parameters<TeamsConversations['remember']>) => {
                  remembering();
                  await gate;
                  return target.remember(...args);
                }
              : Reflect.get(target, key),
        });
      },
    });
    const activity = h.activities.message(NEW, 'release status', { kind: 'channel' });
    let answered = false;
    const response = post(h.url, JSON.stringify(activity), {}).then((posted) => {
      answered = true;
      return posted;
    });
    await asked;
    // The request is saved while the person is being remembered, not after.
    for (let i = 0; i < 200 && h.inbox.unfinished().length === 0; i += 1) await turns(1);
    expect(h.inbox.unfinished().map((entry) => entry.actor)).toEqual([NEW.id]);
    await turns(20);
    expect(answered).toBe(false);
    expect(await h.adapter.conversations().person(NEW.id)).toBeUndefined();

    release();
    expect((await response).status).toBeLessThan(300);
    expect(await h.adapter.conversations().person(NEW.id)).toMatchObject({ id: NEW.id, name: NEW.name });
    await h.settled();
    expect(h.fake.messagesIn(h.fake.personalChatOf(NEW.id)).length).toBeGreaterThan(0);
  });
});
