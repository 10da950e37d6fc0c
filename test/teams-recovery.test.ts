import { afterAll, describe, expect, it } from 'vitest';
import { readActivity } from '../adapters/teams/inbound-activity.js';
import { entryOf } from '../adapters/teams/received.js';
import { turnOf } from '../adapters/teams/turn.js';
import { ReleaseDocument } from '../store/release-document.js';
import { CHANNEL, type TeamsUser } from './support/teams-activities.js';
import { TeamsHarness } from './support/teams-harness.js';
import { messageText } from './support/teams-cards-read.js';
import { readRaw } from './support/release-on-disk.js';

// Crash safety: a button press is written to the inbox before Teams gets its response. If golive
// stops after that write and before handling it, the next start handles it once, tells the person
// in their personal chat, and edits the channel's checklist, from the references kept on disk.

const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };
const DAN: TeamsUser = { id: '29:1dan-daly', name: 'Dan Daly' };
const R = 'nov-2019-sec';

describe('a Teams request acknowledged before a crash', () => {
  let h: TeamsHarness;
  afterAll(() => h.close());

  it('is handled at the next start, once, and the person is told', async () => {
    h = await TeamsHarness.open();
    for (const line of ['release create "November 2019 SEC Release" 2019-11-29 --template sec-release --id nov-2019-sec', 'release role DCC @{Dan Daly}', 'release ask']) {
      await h.send(h.activities.message(RITA, line, { kind: 'channel' }, { 'Dan Daly': DAN }));
    }
    const checklist = h.fake.messagesIn(CHANNEL)[0]!;

    // Dan's submitted answer form, saved exactly as the adapter saves it before its response;
    // then golive stops before handling it.
    const press = h.activities.cardAction(
      DAN,
      'golive:form:submit',
      { form: 'golive:answer', metadata: JSON.stringify({ r: R, c: 'code-ready', a: 'met' }), evidence: 'https://ci.example/build/42', comment: 'Deployed to pre-production' },
      { kind: 'channel', thread: String(checklist.response?.id) },
    );
    const read = readActivity(Buffer.from(JSON.stringify(press)));
    if (!read.ok) throw new Error(read.reason);
    const data = press.value.action.data;
    const entry = entryOf(h.clock, turnOf(read.activity)!, {
      kind: 'form',
      formId: 'golive:answer',
      metadata: String(data.metadata),
      values: { evidence: String(data.evidence), comment: String(data.comment) },
    });
    expect(await h.inbox.receive(entry)).toBe(true);
    await h.close(false);

    h = await TeamsHarness.open({ dir: h.dir, fake: h.fake, start: '2019-11-07T10:00:00Z' });
    expect(h.recovered).toBe(1);
    expect(h.inbox.unfinished()).toEqual([]);
    const onDisk = ReleaseDocument.parse(await readRaw(h.dir, R));
    const responses = onDisk.release.criteria.find((c) => c.id === 'code-ready')!.responses;
    expect(responses).toEqual([expect.objectContaining({ answer: 'met', by: `teams:${DAN.id}`, platform: 'teams', evidence: ['https://ci.example/build/42'] })]);
    expect(onDisk.audit.at(-1)).toMatchObject({ request: entry.id });

    const told = h.fake.messagesIn(h.fake.personalChatOf(DAN.id)).at(-1);
    expect(messageText(told)).toContain('golive was interrupted before it answered your answer form');

    await h.settled();
    const edits = h.fake.delivered('update');
    expect(edits.at(-1)).toMatchObject({ conversationId: CHANNEL, activityId: checklist.response?.id });
    expect(messageText(edits.at(-1))).toContain('Deployed to pre-production');
  });

  it('is not handled again at the start after that', async () => {
    await h.close(false);
    h = await TeamsHarness.open({ dir: h.dir, fake: h.fake, start: '2019-11-07T11:00:00Z' });
    expect(h.recovered).toBe(0);
    expect((await h.doc(R)).release.criteria.find((c) => c.id === 'code-ready')!.responses).toHaveLength(1);
  });
});
