import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackHarness } from './support/slack-harness.js';
import { TeamsHarness } from './support/teams-harness.js';
import type { TeamsUser } from './support/teams-activities.js';
import { messageText } from './support/teams-cards-read.js';

// A status of one version of a release is built and rendered once and then handed out again (the
// view per time text, Slack's blocks and their JSON, Teams' card per the names it shows): each
// answer must still be what a fresh rendering would say, through the real Bolt receiver and the
// real Agents SDK adapter.

describe('Slack: a status answered again from what was rendered before', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await SlackHarness.open('2019-11-07T09:00:00Z');
    await h.command('URITA', 'create "Nov" 2019-11-29 --template sec-release --id nov');
    await h.command('URITA', 'role DCC <@UDAN>');
  });
  afterEach(() => h.close());

  it('is the same for two people, shows an answer given since, and the time once it moved on', async () => {
    const rita = (await h.command('URITA', 'status')).reply;
    const sam = (await h.command('USAM', 'status')).reply;
    expect(rita).toContain('Nov: PENDING');
    expect(sam).toBe(rita);
    expect(rita).toContain('in 21 days 23 hours');

    await h.command('UDAN', 'confirm code-ready met "merged"');
    const answered = (await h.command('USAM', 'status')).reply;
    expect(answered).not.toBe(rita);
    expect(answered).toContain(':white_check_mark: *1. code-ready*');
    expect(rita).toContain(':hourglass_flowing_sand: *1. code-ready*');

    h.clock.set('2019-11-08T09:00:00Z');
    expect((await h.command('USAM', 'status')).reply).toContain('in 20 days 23 hours');
    h.clock.set('2019-11-30T09:00:00Z');
    const late = (await h.command('USAM', 'status')).reply;
    expect(late).toContain('passed 1 day ago');
    expect(late).not.toContain('in 21 days');
  });
});

describe('Teams: a status card made again only when what it shows changed', () => {
  const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };
  const DAN: TeamsUser = { id: '29:1dan-daly', name: 'Dan Daly' };
  let h: TeamsHarness;
  const inChannel = { kind: 'channel' } as const;
  const lastPrivate = (user: TeamsUser) => messageText(h.fake.messagesIn(h.fake.personalChatOf(user.id)).at(-1));

  beforeEach(async () => {
    h = await TeamsHarness.open();
    await h.send(h.activities.message(RITA, 'release create "Nov" 2019-11-29 --template sec-release --id nov', inChannel));
    await h.send(h.activities.message(RITA, 'release role DCC @{Dan Daly}', inChannel, { 'Dan Daly': DAN }));
  });
  afterEach(() => h.close());

  it('shows the name a person goes by now, learnt after the card was first made', async () => {
    await h.send(h.activities.message(RITA, 'release status', inChannel));
    expect(lastPrivate(RITA)).toContain('Dan Daly');
    // Dan writes under a new display name: the same release version, but the card must show it.
    const renamed: TeamsUser = { ...DAN, name: 'Daniel Daly-Shaw' };
    await h.send(h.activities.message(renamed, 'release help', inChannel));
    await h.send(h.activities.message(RITA, 'release status', inChannel));
    const card = lastPrivate(RITA);
    expect(card).toContain('Daniel Daly-Shaw');
    expect(card).not.toContain('Dan Daly ');
  });
});
