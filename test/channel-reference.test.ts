import { afterEach, describe, expect, it } from 'vitest';
import { Received } from '../src/app/inbox.js';
import { handleReceived } from '../src/app/received.js';
import { Channel } from '../src/domain/release.js';
import { Harness } from './support/golive.js';

// A channel keeps what its platform needs to post to it later (for Teams, the conversation
// reference); golive stores it with the channel and keeps it through every write.
const reference = { serviceUrl: 'https://smba.trafficmanager.net/emea/', conversationId: '19:abc@thread.tacv2', tenantId: 'tenant-1', botId: '28:golive-bot' };
const teamsChannel = { platform: 'teams' as const, id: '19:abc@thread.tacv2', reference };

describe('a channel reference', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is stored with the channel a release is created in and kept through later changes and messages', async () => {
    h = await Harness.open();
    const teams = (text: string, channel = teamsChannel) => h!.app.handle({ actor: { id: 'teams:29:rita', platform: 'teams' }, channel, text });
    await teams('/release create "Nov" 2019-11-29 --id nov');
    await teams('/release role DCC dan');
    await teams('/release ask');
    const other = { platform: 'teams' as const, id: '19:other@thread.tacv2', reference: { ...reference, conversationId: '19:other@thread.tacv2' } };
    await teams('/release link --release nov', other);

    const doc = await h.onDisk('nov');
    expect(doc.release.channels).toEqual([teamsChannel, other]);
    // A bare name typed in Teams is a Teams person.
    expect(doc.release.roles.DCC).toEqual(['teams:dan']);
    const checklist = doc.outbox.find((m) => m.kind === 'checklist')!;
    expect(checklist.to).toEqual({ channel: teamsChannel });
    expect(await h.store.findByChannel({ platform: 'teams', id: teamsChannel.id })).toBe('nov');
  });

  it('comes with a request taken from the inbox, whose actor the app qualifies with its platform', async () => {
    h = await Harness.open();
    const entry = Received.parse({
      type: 'received',
      kind: 'command',
      id: 'activity-1',
      at: '2019-11-01T09:00:00.000Z',
      platform: 'teams',
      actor: '29:1aBc_rita',
      channel: teamsChannel.id,
      reference,
      reply: { user: '29:1aBc_rita', channel: teamsChannel.id },
      text: '/release create "Nov" 2019-11-29 --id nov',
    });
    await handleReceived(h.app, entry);
    const doc = await h.onDisk('nov');
    expect(doc.release.channels).toEqual([teamsChannel]);
    expect(doc.release.managers).toEqual(['teams:29:1aBc_rita']);
    expect(doc.audit[0]).toMatchObject({ actor: { id: 'teams:29:1aBc_rita', platform: 'teams' }, request: 'activity-1' });
  });

  it('is strict: only the fields a platform needs, bounded, with an http(s) service URL', () => {
    expect(Channel.safeParse(teamsChannel).success).toBe(true);
    expect(Channel.safeParse({ platform: 'slack', id: 'C1' }).success).toBe(true);
    expect(Channel.safeParse({ ...teamsChannel, reference: { ...reference, serviceUrl: 'javascript:alert(1)' } }).success).toBe(false);
    expect(Channel.safeParse({ ...teamsChannel, reference: { ...reference, extra: 'x' } }).success).toBe(false);
    expect(Channel.safeParse({ ...teamsChannel, reference: { ...reference, conversationId: 'x'.repeat(501) } }).success).toBe(false);
    expect(Channel.safeParse({ ...teamsChannel, reference: { serviceUrl: reference.serviceUrl } }).success).toBe(false);
  });
});
