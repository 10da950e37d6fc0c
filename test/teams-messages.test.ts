import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT, CHANNEL, GROUP_CHAT, TENANT, type TeamsUser } from './support/teams-activities.js';
import { TeamsHarness } from './support/teams-harness.js';
import { messageText } from './support/teams-cards-read.js';

// Typed commands in Teams: in a channel (golive mentioned), a group chat and a personal chat, run
// through the same grammar as Slack's slash command. Public answers go to the conversation;
// private ones only to the person's personal chat with golive.

const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };
const DAN: TeamsUser = { id: '29:1dan-daly', name: 'Dan Daly' };
const SAM: TeamsUser = { id: '29:1sam-sato', name: 'Sam Sato' };
const R = 'nov-2019-sec';
const people = { 'Dan Daly': DAN, 'Sam Sato': SAM };

describe('Teams messages', () => {
  let h: TeamsHarness;
  const inChannel = { kind: 'channel' } as const;
  const personalOf = (user: TeamsUser) => h.fake.personalChatOf(user.id);
  /** Messages in the channel itself and in its threads. */
  const channelMessages = () => h.fake.delivered().filter((c) => c.conversationId?.startsWith(CHANNEL));

  beforeAll(async () => {
    h = await TeamsHarness.open();
  });
  afterAll(() => h.close());

  it('creates a release from a channel message; the channel is the release’s, the creator its manager', async () => {
    const sent = await h.send(h.activities.message(RITA, 'release create "November 2019 SEC Release" 2019-11-29 --template sec-release --id nov-2019-sec', inChannel));
    expect(sent.status).toBe(200);
    const release = (await h.doc(R)).release;
    // With what golive needs to post there later, whatever happens to its own references file.
    expect(release.channels).toEqual([{ platform: 'teams', id: CHANNEL, reference: { serviceUrl: h.fake.serviceUrl, conversationId: CHANNEL, tenantId: TENANT, botId: BOT.id } }]);
    expect(release.managers).toEqual([`teams:${RITA.id}`]);
    expect((await h.doc(R)).audit.at(-1)?.actor).toEqual({ id: `teams:${RITA.id}`, platform: 'teams' });
  });

  it('turns Teams mentions into people: @Dan Daly is teams:29:…', async () => {
    const before = h.fake.delivered().length;
    await h.send(h.activities.message(RITA, 'release role DCC @{Dan Daly}', inChannel, people));
    // The answer names him as the message that first told golive his name did.
    const said = h.fake
      .delivered()
      .slice(before)
      .map((call) => messageText(call))
      .join('\n');
    expect(said).toContain('Dan Daly');
    expect(said).not.toContain(DAN.id);
    await h.send(h.activities.message(RITA, '/release role SECAS @{Sam Sato}', inChannel, people));
    expect((await h.doc(R)).release.roles).toMatchObject({ DCC: [`teams:${DAN.id}`], SECAS: [`teams:${SAM.id}`] });
  });

  it('says privately that a Teams tag cannot be expanded yet, and changes nothing', async () => {
    const audit = (await h.doc(R)).audit.length;
    const ops: TeamsUser = { id: '0f3a9b2c-ops-tag', name: 'Ops on call', tag: true };
    await h.send(h.activities.message(RITA, 'release role Panel @{Ops on call}', inChannel, { 'Ops on call': ops }));
    expect(messageText(h.fake.messagesIn(personalOf(RITA)).at(-1))).toContain('Teams tag (teams:0f3a9b2c-ops-tag)');
    expect((await h.doc(R)).audit.length).toBe(audit);
    expect((await h.doc(R)).release.roles.Panel ?? []).toEqual([]);
  });

  it('answers `release status` privately: in Rita’s personal chat, nothing in the channel', async () => {
    const before = channelMessages().length;
    await h.send(h.activities.message(RITA, 'release status', inChannel));
    expect(channelMessages().length).toBe(before);
    const reply = h.fake.messagesIn(personalOf(RITA)).at(-1);
    expect(messageText(reply)).toContain('November 2019 SEC Release');
    expect(h.fake.delivered('create').some((c) => JSON.stringify(c.body.members) === JSON.stringify([{ id: RITA.id }]))).toBe(true);
  });

  it('posts `release status --public` as a card in the channel thread it was asked in', async () => {
    const asked = h.activities.message(RITA, 'release status --public', inChannel);
    await h.send(asked);
    const posted = h.fake.messagesIn(asked.conversation.id);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.attachments).toEqual([expect.objectContaining({ contentType: 'application/vnd.microsoft.card.adaptive' })]);
    expect(messageText(posted[0])).toContain('November 2019 SEC Release');
  });

  it('tells a typo privately, with a suggestion, and changes nothing', async () => {
    const before = { channel: channelMessages().length, audit: (await h.doc(R)).audit.length };
    await h.send(h.activities.message(RITA, 'release stauts', inChannel));
    expect(channelMessages().length).toBe(before.channel);
    expect((await h.doc(R)).audit.length).toBe(before.audit);
    expect(messageText(h.fake.messagesIn(personalOf(RITA)).at(-1))).toMatch(/Unknown command "stauts".*status/s);
  });

  it('gives a short hint for a message that is not a release command', async () => {
    const before = { channel: channelMessages().length, personal: h.fake.messagesIn(personalOf(SAM)).length };
    await h.send(h.activities.message(SAM, 'hello there, what can you do?', inChannel));
    expect(messageText(h.fake.messagesIn(personalOf(SAM)).at(-1))).toContain('release status');
    await h.send(h.activities.message(SAM, '', inChannel));
    expect(h.fake.messagesIn(personalOf(SAM)).length).toBe(before.personal + 2);
    expect(channelMessages().length).toBe(before.channel);
  });

  it('answers in a personal chat right there', async () => {
    const chat = { kind: 'personal', id: personalOf(DAN) } as const;
    const creates = h.fake.delivered('create').length;
    await h.send(h.activities.message(DAN, 'release todo', chat));
    expect(h.fake.delivered('create').length).toBe(creates);
    expect(messageText(h.fake.messagesIn(personalOf(DAN)).at(-1))).toContain('November 2019 SEC Release');
  });

  it('answers a status in a personal chat with one Bot Connector call, and leaves the conversations file as it was', async () => {
    const chat = { kind: 'personal', id: personalOf(SAM) } as const;
    await h.send(h.activities.message(SAM, 'release help', chat));
    const file = join(h.dir, 'teams-conversations.json');
    const before = { calls: h.fake.calls.length, file: await stat(file), text: await readFile(file, 'utf8') };
    await h.send(h.activities.message(SAM, 'release status --release nov-2019-sec', chat));
    expect(h.fake.calls.slice(before.calls).map((c) => `${c.kind} ${c.conversationId}`)).toEqual([`send ${personalOf(SAM)}`]);
    expect(messageText(h.fake.messagesIn(personalOf(SAM)).at(-1))).toContain('November 2019 SEC Release');
    // Nothing new was learnt: the file is not written again (a write replaces it with a new file).
    const after = await stat(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.file.ino, before.file.mtimeMs]);
    expect(await readFile(file, 'utf8')).toBe(before.text);
  });

  it('reads what the person typed, not Teams’ markup: entities decoded, formatting dropped', async () => {
    const activity = h.activities.message(RITA, 'release risk add "Comms <late> & vendors" --release nov-2019-sec', { kind: 'groupChat' });
    activity.text = activity.text.replace('Comms', '<strong>Comms</strong>');
    await h.send(activity);
    expect((await h.doc(R)).release.risks.at(-1)?.description).toBe('Comms <late> & vendors');
    // A group chat is not linked to the release; private replies still go to the personal chat.
    expect(h.fake.messagesIn(GROUP_CHAT)).toHaveLength(0);
  });

  it('handles a retried message once', async () => {
    const activity = h.activities.message(RITA, 'release facts issues 12 --threshold 30', inChannel);
    const audit = (await h.doc(R)).audit.length;
    await h.send(activity);
    await h.send(activity);
    expect((await h.doc(R)).audit.length).toBe(audit + 1);
  });

  it('sends a file (the decision paper) as Markdown messages, whole, since a bot cannot attach one here', async () => {
    const asked = h.activities.message(RITA, 'release report', inChannel);
    await h.send(asked);
    const [call] = h.fake.messagesIn(asked.conversation.id);
    expect(call!.body).toMatchObject({ textFormat: 'markdown' });
    const text = String(call!.body.text);
    expect(text).toMatch(
      /^\*Decision paper: November 2019 SEC Release: nov-2019-sec-decision-paper\.md \([\d,]+ characters\)\. Teams bots cannot attach files here, so its text follows\.\*\n\n# Approval to implement the November 2019 SEC Release\n/,
    );
    expect(text).toContain('## 2. Acceptance criteria');
    expect(Buffer.byteLength(text)).toBeLessThan(28 * 1024);
  });

  it('keeps where each conversation and person is, on disk, for later posts', async () => {
    const file = JSON.parse(await readFile(join(h.dir, 'teams-conversations.json'), 'utf8')) as {
      conversations: Array<{ id: string; serviceUrl: string; tenantId?: string }>;
      people: Array<{ id: string; name?: string; personal?: string }>;
    };
    expect(file.conversations.find((c) => c.id === CHANNEL)).toMatchObject({ serviceUrl: h.fake.serviceUrl, tenantId: expect.any(String) });
    expect(file.people.find((p) => p.id === DAN.id)).toMatchObject({ name: 'Dan Daly', personal: personalOf(DAN) });
    expect(file.people.find((p) => p.id === RITA.id)).toMatchObject({ name: 'Rita Reyes', personal: personalOf(RITA) });
  });
});
