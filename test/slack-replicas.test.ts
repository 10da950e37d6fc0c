import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { SECRET, SlackReplica, stall } from './support/slack-replica.js';
import { sendRaw, slashCommand, slashCommandRequest } from './support/slack-requests.js';
import { TestClock } from './support/test-clock.js';

// Two golive replicas on one database, each with its own store and inbox, serving Slack for real
// behind an imaginary load balancer: a request is handled once whichever replica gets it, and
// what a replica acknowledged and never handled is handled by the other once its lease ends.

const CHANNEL = 'C0RELEASE';
const RITA = 'URITA';
const DAN = 'UDAN';
const R = 'small';

interface InboxRow {
  id: string;
  holder: string;
  lease_until: Date | string | null;
  done_at: Date | string | null;
  outcome: string | null;
}

forEachTarget('two replicas serving Slack on one database', (target) => {
  let schema: TestSchema;
  let fake: FakeSlack;
  let clock: TestClock;
  let a: SlackReplica;
  let b: SlackReplica;
  // Stalled handlers are let go (to fail) before the replicas close, whatever a test left.
  const stalled: Array<{ die: () => void }> = [];
  const stallA = () => {
    const gate = stall(a.app);
    stalled.push(gate);
    return gate;
  };

  beforeEach(async () => {
    schema = await target.schema();
    fake = await startFakeSlack();
    clock = new TestClock('2019-11-07T09:00:00Z');
    a = await SlackReplica.open('replica-a', schema, fake, clock);
    b = await SlackReplica.open('replica-b', schema, fake, clock);
    expect(await a.command(RITA, `create "Small" 2019-11-29 --id ${R}`, CHANNEL)).toBe(200);
    expect(await b.command(RITA, `role DCC <@${DAN}>`, CHANNEL)).toBe(200);
    // Starting PGlite takes seconds, more on a busy machine.
  }, 60_000);

  afterEach(async () => {
    for (const gate of stalled.splice(0)) gate.die();
    await a.close();
    await b.close();
    await fake.close();
    await schema.drop();
  });

  const entriesFor = async (id: string) => (await a.store.audit(R)).filter((entry) => entry.request === id);
  /** What DAN was shown privately (ephemeral) or sent directly (DM), as text. */
  const toDan = () => ({
    ephemeral: fake
      .callsTo('chat.postEphemeral')
      .filter((call) => call.body.user === DAN)
      .map((call) => JSON.stringify(call.body.blocks)),
    // Direct messages about a request (not the "what is yours" note the role sends).
    direct: fake
      .callsTo('chat.postMessage')
      .filter((call) => call.body.channel === DAN)
      .map((call) => JSON.stringify(call.body.blocks))
      .filter((text) => text.includes('golive was interrupted before it answered')),
  });
  const inboxRow = async (id: string) => (await schema.sql<InboxRow>('SELECT id, holder, lease_until, done_at, outcome FROM inbox WHERE id = $1', [id]))[0];
  /** When the lease of the replica that received `id` ends. */
  const leaseEnd = async (id: string) => new Date((await inboxRow(id))!.lease_until!);
  const settled = async () => {
    await a.settled();
    await b.settled();
  };

  it('the same signed request sent to both, at once or one after the other, is recorded once and answered once', async () => {
    const together = slashCommandRequest(SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-together' });
    const responses = await Promise.all([sendRaw(a.url, together), sendRaw(b.url, together)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    await settled();
    expect(await entriesFor('T-together')).toEqual([expect.objectContaining({ outcome: 'applied', command: '/release confirm code-ready met' })]);
    expect(toDan().ephemeral.filter((text) => text.includes('Recorded: criterion 1 (code-ready) *met*'))).toHaveLength(1);

    const retried = slashCommandRequest(SECRET, { text: 'confirm code-ready not-met "rollback untested"', userId: DAN, channelId: CHANNEL, triggerId: 'T-retried' });
    expect((await sendRaw(a.url, retried)).status).toBe(200);
    await settled();
    expect((await sendRaw(b.url, retried)).status).toBe(200);
    await settled();
    expect(await entriesFor('T-retried')).toHaveLength(1);
    expect(toDan().ephemeral.filter((text) => text.includes('Recorded: criterion 1 (code-ready) *not met*'))).toHaveLength(1);

    const criterion = (await a.store.get(R))!.release.criteria.find((c) => c.id === 'code-ready')!;
    expect(criterion.responses.map((response) => response.answer)).toEqual(['met', 'not-met']);
    expect(await schema.sql('SELECT id, outcome FROM inbox WHERE id LIKE $1 ORDER BY position', ['T-%'])).toEqual([
      { id: 'T-together', outcome: 'Answer recorded: Recorded: criterion 1 (code-ready) met.' },
      { id: 'T-retried', outcome: expect.stringContaining('Recorded: criterion 1 (code-ready) not met') },
    ]);
    expect(toDan().direct).toEqual([]);
    expect(verifyChain(await b.store.audit(R)).ok).toBe(true);
  });

  it('a request one acknowledged and never handled is handled by the other once its lease ends, once, and the person is told', async () => {
    const dead = stallA();
    const response = await slashCommand(a.url, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-orphan' });
    expect(response.status).toBe(200);
    const end = await leaseEnd('T-orphan');

    // A is still within its lease: B leaves the request alone.
    clock.set(new Date(end.getTime() - 1000).toISOString());
    expect(await b.serving.recover()).toBe(0);
    expect(await entriesFor('T-orphan')).toEqual([]);

    clock.set(end.toISOString());
    expect(await b.serving.recover()).toBe(1);
    expect(await entriesFor('T-orphan')).toEqual([expect.objectContaining({ outcome: 'applied', actor: { id: `slack:${DAN}`, platform: 'slack' } })]);
    expect(toDan().direct).toEqual([expect.stringContaining('golive was interrupted before it answered your `/release confirm code-ready met`')]);
    expect(toDan().direct[0]).toContain('Recorded: criterion 1 (code-ready) *met*.');
    expect(await inboxRow('T-orphan')).toMatchObject({ holder: 'replica-b', lease_until: null, outcome: 'Answer recorded: Recorded: criterion 1 (code-ready) met.' });
    expect(b.logs.join('\n')).toContain('inbox: 1 request acknowledged and not handled');

    // Asked again, later, by either: nothing is left.
    clock.set(new Date(end.getTime() + 120_000).toISOString());
    expect(await b.serving.recover()).toBe(0);
    expect(await a.serving.recover()).toBe(0);

    // A never comes back to it: its handler fails where it stalled, before the app.
    dead.die();
    await a.serving.idle();
    expect(await entriesFor('T-orphan')).toHaveLength(1);
    expect(toDan().ephemeral.filter((text) => text.includes('Recorded: criterion 1'))).toEqual([]);
    expect(toDan().direct).toHaveLength(1);
    expect(await inboxRow('T-orphan')).toMatchObject({ holder: 'replica-b', outcome: 'Answer recorded: Recorded: criterion 1 (code-ready) met.' });
    expect(verifyChain(await a.store.audit(R)).ok).toBe(true);
  });

  it("a replica's periodic pass finds what another left, without being asked", async () => {
    stallA();
    expect((await slashCommand(a.url, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-periodic' })).status).toBe(200);
    const end = await leaseEnd('T-periodic');
    const c = await SlackReplica.open('replica-c', schema, fake, clock, { recoveryEveryMs: 10 });
    try {
      // Its pass at start came before the lease's end: the request was A's still.
      expect(c.serving.recoveredAtStart).toBe(0);
      expect(await entriesFor('T-periodic')).toEqual([]);
      clock.set(end.toISOString());
      await vi.waitFor(async () => expect(await inboxRow('T-periodic')).toMatchObject({ holder: 'replica-c', lease_until: null }), { timeout: 10_000, interval: 10 });
      expect(await entriesFor('T-periodic')).toHaveLength(1);
      expect(toDan().direct).toEqual([expect.stringContaining('Recorded: criterion 1 (code-ready) *met*.')]);
    } finally {
      await c.close();
    }
  });

  it('a request that fails when handled again is answered with the failure and done, not replayed for ever', async () => {
    stallA();
    expect((await slashCommand(a.url, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-fails' })).status).toBe(200);
    const end = await leaseEnd('T-fails');
    clock.set(end.toISOString());
    const execute = b.app.execute.bind(b.app);
    b.app.execute = () => Promise.reject(new Error('the disk caught fire'));
    try {
      expect(await b.serving.recover()).toBe(1);
    } finally {
      b.app.execute = execute;
    }
    expect(await entriesFor('T-fails')).toEqual([]);
    expect(toDan().direct).toEqual([expect.stringContaining('golive could not handle it (the disk caught fire). Please try again.')]);
    expect(await inboxRow('T-fails')).toMatchObject({ holder: 'replica-b', lease_until: null, outcome: 'failed: the disk caught fire' });
    expect(b.logs.join('\n')).toContain('inbox: could not handle request T-fails from UDAN: the disk caught fire');
    clock.set(new Date(end.getTime() + 10 * 60_000).toISOString());
    expect(await b.serving.recover()).toBe(0);
  });

  it('a bad row in the inbox: a replica will not start over it; one running is told at its next pass, and goes on serving', async () => {
    await schema.sql(`INSERT INTO inbox (id, platform, entry, received_at, holder, lease_until) VALUES ('bad-1', 'slack', '{}', $1, 'someone', $1)`, ['2019-11-07T08:00:00Z']);
    const c = await SlackReplica.open('replica-c', schema, fake, clock).then(
      (replica) => replica,
      (error: unknown) => error,
    );
    // Opening refuses a bad row, as it refuses a bad inbox file: nothing is served over it.
    expect(c).toBeInstanceOf(Error);
    expect((c as Error).message).toContain('inbox row "bad-1" is not a received request');
    // A replica already running finds it at its next pass: the pass fails saying so, and changes nothing.
    const failed = await b.serving.recover().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failed as Error).message).toContain('inbox row "bad-1" is not a received request');
    expect(await b.command(RITA, 'status', CHANNEL)).toBe(200);
  });

  it('a request a live replica is handling is not taken by the other', async () => {
    const held = stallA();
    expect((await slashCommand(a.url, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-live' })).status).toBe(200);
    const end = await leaseEnd('T-live');
    clock.set(new Date(end.getTime() - 1).toISOString());
    expect(await b.serving.recover()).toBe(0);

    held.resume();
    await settled();
    expect(await entriesFor('T-live')).toHaveLength(1);
    expect(toDan().ephemeral.filter((text) => text.includes('Recorded: criterion 1 (code-ready) *met*'))).toHaveLength(1);
    expect(await inboxRow('T-live')).toMatchObject({ holder: 'replica-a', lease_until: null });

    clock.set(new Date(end.getTime() + 60_000).toISOString());
    expect(await b.serving.recover()).toBe(0);
    expect(await entriesFor('T-live')).toHaveLength(1);
    expect(toDan().direct).toEqual([]);
  });

  it('a replica that stalls past its lease and then goes on finds the change the other made, and does not make it again', async () => {
    const slow = stallA();
    expect((await slashCommand(a.url, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-slow' })).status).toBe(200);
    clock.set((await leaseEnd('T-slow')).toISOString());
    expect(await b.serving.recover()).toBe(1);

    slow.resume();
    await settled();
    expect(await entriesFor('T-slow')).toHaveLength(1);
    expect((await a.store.get(R))!.release.criteria.find((c) => c.id === 'code-ready')!.responses).toHaveLength(1);
    // B told DAN in a direct message; A's late answer says it was recorded already.
    expect(toDan().direct).toEqual([expect.stringContaining('Recorded: criterion 1 (code-ready) *met*.')]);
    expect(toDan().ephemeral.filter((text) => text.includes('Already recorded'))).toHaveLength(1);
    expect(await inboxRow('T-slow')).toMatchObject({ holder: 'replica-b', outcome: 'Answer recorded: Recorded: criterion 1 (code-ready) met.' });
  });
});
