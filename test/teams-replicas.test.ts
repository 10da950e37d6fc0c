import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openPostgresConversations } from '../adapters/teams/conversations-postgres.js';
import { AdapterStartError } from '../src/app/adapter.js';
import { recordVerifier } from '../src/app/record-check.js';
import { StoreError } from '../src/app/store-port.js';
import type { View } from '../src/views/elements.js';
import type { Db } from '../store/postgres/db.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { startFakeConnector, type FakeConnector } from './support/fake-connector.js';
import { throughStatements } from './support/through-statements.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { rejectionOf } from './support/port-records.js';
import { BOT, CHANNEL, type TeamsUser } from './support/teams-activities.js';
import { messageText } from './support/teams-cards-read.js';
import { TeamsHarness } from './support/teams-harness.js';

// Two golives serving Teams on one database: what one learnt from Teams (a channel it was added to,
// a person's personal chat, a name) lets the other post there and address them, with no activity
// of its own. Both deliver to one fake Bot Connector.

const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };
const SAM: TeamsUser = { id: '29:1sam-sato', name: 'Sam Sato' };
const view = (...blocks: View['blocks']): View => ({ title: 'From the other golive', blocks: blocks.length > 0 ? blocks : [{ type: 'paragraph', content: [{ type: 'text', text: 'Checking in.' }] }] });

forEachTarget('two golives serving Teams on one database', (target) => {
  let schema: TestSchema;
  let fake: FakeConnector;
  let a: TeamsHarness;
  let b: TeamsHarness;

  const open = async (dir?: string) => {
    const db = await schema.db();
    const store = await openPostgresStore(db, { closeDb: false, verify: recordVerifier({}) });
    return TeamsHarness.open({ store, conversations: (now) => openPostgresConversations(db, now), fake, ...(dir && { dir }) });
  };

  beforeEach(async () => {
    schema = await target.schema();
    fake = await startFakeConnector();
    a = await open();
    b = await open();
  });

  afterEach(async () => {
    await a.close(false);
    await rm(a.dir, { recursive: true, force: true });
    // Closes the fake connector too.
    await b.close();
    await schema.drop();
  });

  it('a channel one was added to is posted to by the other, which never heard from it; removed on one, the other posts nothing there', async () => {
    expect((await a.send(a.activities.botAdded(RITA, { kind: 'channel', thread: 'root' }))).status).toBe(200);
    const { ref } = await b.adapter.chat.post({ platform: 'teams', id: CHANNEL }, view(), 'test:post:1');
    const [posted] = fake.messagesIn(CHANNEL);
    expect(posted).toMatchObject({ kind: 'send', response: { id: ref }, body: expect.objectContaining({ from: { id: BOT.id } }) });
    expect(messageText(posted)).toContain('Checking in.');
    // Kept in the database, not in either folder.
    for (const dir of [a.dir, b.dir]) expect(await readdir(dir)).not.toContain('teams-conversations.json');
    expect(await schema.sql<{ id: string }>('SELECT id FROM teams_conversations')).toEqual([{ id: CHANNEL }]);

    await a.send(a.activities.botRemoved(RITA, { kind: 'channel', thread: 'root' }));
    await expect(b.adapter.chat.post({ platform: 'teams', id: CHANNEL }, view(), 'test:post:2')).rejects.toThrow(/no reference for the Teams conversation/);
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);
  });

  it("a person's personal chat learnt by one is where the other sends them a direct message; a chat one opens, the other uses", async () => {
    const chat = 'a:1sam-installed-chat';
    await a.send(a.activities.installation(SAM, { kind: 'personal', id: chat }, 'add'));
    await b.adapter.chat.dm({ platform: 'teams', id: `teams:${SAM.id}` }, view(), 'test:dm:1');
    expect(fake.messagesIn(chat)).toHaveLength(1);
    expect(fake.delivered('create')).toEqual([]);

    // Rita was only seen in a channel by a: b opens her personal chat, and a then sends there too.
    await a.send(a.activities.botAdded(RITA, { kind: 'channel', thread: 'root' }));
    await b.adapter.chat.dm({ platform: 'teams', id: `teams:${RITA.id}` }, view(), 'test:dm:2');
    await a.adapter.chat.dm({ platform: 'teams', id: `teams:${RITA.id}` }, view(), 'test:dm:3');
    expect(fake.delivered('create')).toHaveLength(1);
    expect(fake.messagesIn(fake.personalChatOf(RITA.id))).toHaveLength(2);
  });

  it('a name learnt by one is how the other mentions that person', async () => {
    await a.send(a.activities.botAdded(RITA, { kind: 'channel', thread: 'root' }));
    await b.adapter.chat.post(
      { platform: 'teams', id: CHANNEL },
      view({
        type: 'paragraph',
        content: [
          { type: 'text', text: 'Owner: ' },
          { type: 'user', id: `teams:${RITA.id}` },
        ],
      }),
      'test:post:3',
    );
    const [posted] = fake.messagesIn(CHANNEL);
    expect(JSON.stringify(posted!.body)).toContain('<at>Rita Reyes</at>');
  });

  it('a row that is not a reference is named in a clear error: a golive starting on it does not start, a running one says so when it posts', async () => {
    await a.send(a.activities.botAdded(RITA, { kind: 'channel', thread: 'root' }));
    await schema.sql(`UPDATE teams_conversations SET reference = '{"id": "19:x", "serviceUrl": ""}'::jsonb`);
    const dir = await mkdtemp(join(tmpdir(), 'golive-teams-replica-'));
    const failed = await rejectionOf(open(dir));
    await rm(dir, { recursive: true, force: true });
    expect(failed).toBeInstanceOf(AdapterStartError);
    expect((failed as Error).message).toMatch(/teams did not start: .*the teams_conversations row "19:.*" is not a Teams conversation reference \(.*\); fix or delete that row/);
    const posting = await rejectionOf(b.adapter.chat.post({ platform: 'teams', id: CHANNEL }, view(), 'test:post:4'));
    expect(posting).toBeInstanceOf(StoreError);
    expect((posting as Error).message).toContain('the teams_conversations row');
    expect(fake.messagesIn(CHANNEL)).toEqual([]);
  });

  it('readers asking at once share one catch-up, and each sees what the other golive saved before it asked', async () => {
    const db = await schema.db();
    const counted = countingCatchUps(db);
    const now = () => new Date('2019-11-07T09:00:00Z');
    const one = await openPostgresConversations(db, now);
    const other = await openPostgresConversations(counted.db, now);
    await one.remember({ id: '19:added@thread.tacv2', serviceUrl: 'https://smba.example/amer/', type: 'channel' });
    counted.reads = 0;
    const seen = await Promise.all(Array.from({ length: 10 }, () => other.conversation('19:added@thread.tacv2')));
    expect(seen.map((ref) => ref?.serviceUrl)).toEqual(Array(10).fill('https://smba.example/amer/'));
    expect(counted.reads).toBeGreaterThanOrEqual(1);
    expect(counted.reads).toBeLessThanOrEqual(2);
    // Saved after those reads: the next reader still sees it.
    await one.remember({ id: '19:later@thread.tacv2', serviceUrl: 'https://smba.example/amer/', type: 'channel' });
    expect(await other.conversation('19:later@thread.tacv2')).toMatchObject({ id: '19:later@thread.tacv2' });
  });

  it("an activity's handling reads the references once: what the other golive saved before, and its own changes since", async () => {
    const db = await schema.db();
    const counted = countingCatchUps(db);
    const now = () => new Date('2019-11-07T09:00:00Z');
    const one = await openPostgresConversations(db, now);
    const other = await openPostgresConversations(counted.db, now);
    const where = { serviceUrl: 'https://smba.example/amer/', tenantId: 'tenant-1' };
    await one.remember({ id: '19:added@thread.tacv2', ...where, type: 'channel' }, [{ id: '29:dan', name: 'Dan Daly', ...where }]);
    counted.reads = 0;
    const activity = other.forActivity();
    expect(await activity.person('29:dan')).toMatchObject({ name: 'Dan Daly' });
    expect(await activity.conversation('19:added@thread.tacv2;messageid=1')).toMatchObject({ type: 'channel' });
    expect(counted.reads).toBe(1);
    await activity.setPersonal('29:dan', 'a:dan-chat', where);
    // Its own change is read back without asking again.
    const before = counted.reads;
    expect(await activity.person('29:dan')).toMatchObject({ name: 'Dan Daly', personal: 'a:dan-chat' });
    expect((await activity.names())('29:dan')).toBe('Dan Daly');
    expect(counted.reads).toBe(before);
    // The other golive saw the personal chat at once.
    expect(await one.person('29:dan')).toMatchObject({ personal: 'a:dan-chat' });
  });
});

/** The same database, counting the catch-up reads of the Teams references made through it. */
function countingCatchUps(db: Db): { db: Db; reads: number } {
  const counted = { db, reads: 0 };
  counted.db = throughStatements(db, (sql, params, run) => {
    if (sql.includes('WHERE changed >')) counted.reads += 1;
    return run(sql, params);
  });
  return counted;
}
