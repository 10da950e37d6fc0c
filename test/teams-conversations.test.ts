import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryLater } from '../src/app/delivery/chat-port.js';
import { AdapterStartError } from '../src/app/adapter.js';
import type { View } from '../src/views/elements.js';
import { BOT, CHANNEL, GROUP_CHAT, TENANT, type TeamsUser } from './support/teams-activities.js';
import { TeamsHarness } from './support/teams-harness.js';
import { messageText } from './support/teams-cards-read.js';

// golive added to a channel or installed for a person keeps that conversation's reference in
// teams-conversations.json, so it can post there later (ask, reminders, announcements) without
// having been spoken to; removed, it forgets it and posts nothing there again.

const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };
const SAM: TeamsUser = { id: '29:1sam-sato', name: 'Sam Sato' };
const view: View = { title: 'Hello from golive', blocks: [{ type: 'paragraph', content: [{ type: 'text', text: 'Checking in.' }] }] };

const onDisk = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'teams-conversations.json'), 'utf8')) as {
    conversations: Array<{ id: string; serviceUrl: string; tenantId?: string; botId?: string; type?: string }>;
    people: Array<{ id: string; personal?: string }>;
  };

describe('Teams conversation references', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await TeamsHarness.open();
  });
  afterAll(() => h.close());

  it('keeps the channel golive is added to, on disk, and posts there later without a word said', async () => {
    const added = await h.send(h.activities.botAdded(RITA, { kind: 'channel', thread: 'root' }));
    expect(added.status).toBe(200);
    expect(h.fake.calls).toEqual([]);
    const stored = (await onDisk(h.dir)).conversations.find((c) => c.id === CHANNEL);
    expect(stored).toMatchObject({ serviceUrl: h.fake.serviceUrl, tenantId: expect.any(String), botId: expect.stringMatching(/^28:/), type: 'channel' });

    const { ref } = await h.adapter.chat.post({ platform: 'teams', id: CHANNEL }, view, 'test:post:1');
    const [posted] = h.fake.messagesIn(CHANNEL);
    expect(posted).toMatchObject({ kind: 'send', response: { id: ref } });
    expect(messageText(posted)).toContain('Checking in.');
  });

  it('keeps a person’s personal chat when golive is installed for them, and messages them there', async () => {
    const chat = 'a:1sam-installed-chat';
    await h.send(h.activities.installation(SAM, { kind: 'personal', id: chat }, 'add'));
    expect((await onDisk(h.dir)).people.find((p) => p.id === SAM.id)).toMatchObject({ personal: chat });
    await h.adapter.chat.dm({ platform: 'teams', id: `teams:${SAM.id}` }, view, 'test:dm:1');
    expect(h.fake.messagesIn(chat)).toHaveLength(1);
    expect(h.fake.delivered('create')).toEqual([]);
  });

  it('forgets a conversation golive is removed from: nothing is posted there, and the outbox is told it is final', async () => {
    await h.send(h.activities.botRemoved(RITA, { kind: 'channel', thread: 'root' }));
    expect((await onDisk(h.dir)).conversations.some((c) => c.id === CHANNEL)).toBe(false);
    const before = h.fake.calls.length;
    const posting = h.adapter.chat.post({ platform: 'teams', id: CHANNEL }, view, 'test:post:2');
    await expect(posting).rejects.toThrow(/no reference for the Teams conversation/);
    await expect(posting).rejects.not.toBeInstanceOf(RetryLater);
    expect(h.fake.calls.length).toBe(before);
  });

  it('after an uninstall, opens a new personal chat for the next direct message', async () => {
    await h.send(h.activities.installation(SAM, { kind: 'personal', id: 'a:1sam-installed-chat' }, 'remove'));
    expect((await onDisk(h.dir)).people.find((p) => p.id === SAM.id)?.personal).toBeUndefined();
    await h.adapter.chat.dm({ platform: 'teams', id: `teams:${SAM.id}` }, view, 'test:dm:2');
    expect(h.fake.delivered('create')).toHaveLength(1);
    expect(h.fake.messagesIn(h.fake.personalChatOf(SAM.id))).toHaveLength(1);
  });

  it('posts to a channel its release record carries a reference for, even one golive’s own file does not know', async () => {
    const elsewhere = '19:restored-from-backup@thread.tacv2';
    const reference = { serviceUrl: h.fake.serviceUrl, conversationId: elsewhere, tenantId: TENANT, botId: BOT.id };
    await h.adapter.chat.post({ platform: 'teams', id: elsewhere, reference }, view, 'test:post:3');
    expect(h.fake.messagesIn(elsewhere)).toEqual([expect.objectContaining({ kind: 'send', body: expect.objectContaining({ from: { id: BOT.id } }) })]);
  });

  it('keeps a group chat golive hears from', async () => {
    await h.send(h.activities.message(RITA, 'release list', { kind: 'groupChat' }));
    expect((await onDisk(h.dir)).conversations.find((c) => c.id === GROUP_CHAT)).toMatchObject({ type: 'groupChat' });
  });
});

describe('a Teams conversations file that does not read', () => {
  it('stops start-up naming the file, and is left as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'golive-teams-bad-'));
    const file = join(dir, 'teams-conversations.json');
    await writeFile(file, '{"version":1,"conversations":[{"id":');
    try {
      const failed = await TeamsHarness.open({ dir }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(AdapterStartError);
      expect(String(failed)).toMatch(/teams did not start: .*teams-conversations\.json: is not valid JSON/);
      expect(await readFile(file, 'utf8')).toBe('{"version":1,"conversations":[{"id":');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
