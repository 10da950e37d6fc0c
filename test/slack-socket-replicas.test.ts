import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { FAKE_BOT, FAKE_TEAM, startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { blockActionPayload, slashCommandPayload, startFakeSocketMode, type FakeConnection, type FakeSocketMode } from './support/fake-socket-mode.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { SlackReplica, stall } from './support/slack-replica.js';
import { APP_ID, appHomeOpened, VERIFICATION_TOKEN } from './support/slack-requests.js';
import { TestClock } from './support/test-clock.js';

// Two golive replicas on one database, each in Socket Mode with a connection of its own to one
// (fake) Slack app, as Slack allows up to 10: Slack sends each envelope to one connection, and
// sends one again, perhaps to the other connection. Whichever replica gets a request, it is
// handled once; one a replica acknowledged and never handled is handled by the other.

const APP_TOKEN = 'xapp-1-A0GOLIVE-1234-socketreplicas';
const CHANNEL = 'C0RELEASE';
const RITA = 'URITA';
const DAN = 'UDAN';
const MEMBERS = ['UOLIVIA', 'UOSCAR', 'UOTTO', 'UOPAL'];
const R = 'small';

forEachTarget('two replicas in Socket Mode on one database', (target) => {
  let schema: TestSchema;
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let clock: TestClock;
  let a: SlackReplica;
  let b: SlackReplica;
  /** Each replica's own connection to Slack. */
  let toA: FakeConnection;
  let toB: FakeConnection;
  const stalled: Array<{ die: () => void }> = [];

  beforeEach(async () => {
    schema = await target.schema();
    fake = await startFakeSlack();
    socket = await startFakeSocketMode();
    fake.setSocketModeUrl(socket.url);
    clock = new TestClock('2019-11-07T09:00:00Z');
    a = await SlackReplica.open('replica-a', schema, fake, clock, { appToken: APP_TOKEN });
    b = await SlackReplica.open('replica-b', schema, fake, clock, { appToken: APP_TOKEN });
    // serve() resolves once Slack said hello: each replica holds the connection it opened.
    [toA, toB] = socket.open() as [FakeConnection, FakeConnection];
    expect(socket.open()).toHaveLength(2);
    expect(fake.callsTo('apps.connections.open')).toMatchObject([{ token: APP_TOKEN }, { token: APP_TOKEN }]);
    await command(toA, RITA, `create "Small" 2019-11-29 --id ${R}`);
    await command(toB, RITA, `role DCC <@${DAN}>`);
    await command(toA, RITA, `group opsg members ${MEMBERS.map((m) => `<@${m}>`).join(' ')} --quorum 2`);
    expect((await a.store.get(R))?.release.groups.find((g) => g.id === 'opsg')?.members).toEqual(MEMBERS.map((m) => `slack:${m}`));
  }, 60_000);

  afterEach(async () => {
    for (const gate of stalled.splice(0)) gate.die();
    await a.close();
    await b.close();
    await socket.close();
    await fake.close();
    await schema.drop();
  });

  const settled = async () => {
    await a.settled();
    await b.settled();
  };
  async function command(to: FakeConnection | 'next', userId: string, text: string, triggerId?: string) {
    const ack = await socket.send('slash_commands', slashCommandPayload({ text, userId, channelId: CHANNEL, ...(triggerId && { triggerId }) }), { to });
    await settled();
    return ack;
  }
  const entriesFor = async (id: string) => (await a.store.audit(R)).filter((entry) => entry.request === id);
  const ephemeralTo = (userId: string) =>
    fake
      .callsTo('chat.postEphemeral')
      .filter((call) => call.body.user === userId)
      .map((call) => JSON.stringify(call.body.blocks));
  const interruptedNotes = (userId: string) =>
    fake
      .callsTo('chat.postMessage')
      .filter((call) => call.body.channel === userId)
      .map((call) => JSON.stringify(call.body.blocks))
      .filter((text) => text.includes('golive was interrupted before it answered'));
  const leaseEnd = async (id: string) => {
    const [row] = await schema.sql<{ lease_until: Date | string | null }>('SELECT lease_until FROM inbox WHERE id = $1', [id]);
    return new Date(row!.lease_until!);
  };
  const stallA = () => {
    const gate = stall(a.app);
    stalled.push(gate);
    return gate;
  };

  it('a burst of slash commands and button presses spread over both connections is each recorded once', async () => {
    const commands = Array.from({ length: 10 }, (_, n) =>
      socket.send('slash_commands', slashCommandPayload({ text: `confirm code-ready not-met "reason ${n}"`, userId: DAN, channelId: CHANNEL, triggerId: `T-cmd-${n}` }), { to: 'next' }),
    );
    const presses = MEMBERS.map((member, n) =>
      socket.send('interactive', blockActionPayload({ userId: member, channelId: CHANNEL, actionId: 'golive:signoff:agree', value: JSON.stringify({ r: R, g: 'opsg' }), triggerId: `T-press-${n}` }), {
        to: 'next',
      }),
    );
    const acks = await Promise.all([...commands, ...presses]);
    await settled();

    // Slack spread them: each connection acknowledged some, every envelope was acknowledged once.
    const ids = acks.map((ack) => ack.envelope_id);
    expect(ids.filter((id) => toA.acked.includes(id)).length).toBeGreaterThan(0);
    expect(ids.filter((id) => toB.acked.includes(id)).length).toBeGreaterThan(0);
    for (const id of ids) expect([...toA.acked, ...toB.acked].filter((acked) => acked === id)).toHaveLength(1);

    for (let n = 0; n < 10; n += 1) expect(await entriesFor(`T-cmd-${n}`), `T-cmd-${n}`).toEqual([expect.objectContaining({ outcome: 'applied' })]);
    for (let n = 0; n < MEMBERS.length; n += 1) expect(await entriesFor(`T-press-${n}`), `T-press-${n}`).toEqual([expect.objectContaining({ outcome: 'applied' })]);
    const release = (await b.store.get(R))!.release;
    const comments = release.criteria.find((c) => c.id === 'code-ready')!.responses.map((response) => response.comment);
    expect([...comments].sort()).toEqual(Array.from({ length: 10 }, (_, n) => `reason ${n}`).sort());
    expect(
      release.groups
        .find((g) => g.id === 'opsg')!
        .signoffs.map((signoff) => signoff.by)
        .sort(),
    ).toEqual(MEMBERS.map((m) => `slack:${m}`).sort());
    // Each person answered once, privately, by whichever replica had the request.
    expect(ephemeralTo(DAN).filter((text) => text.includes('Recorded: criterion 1 (code-ready) *not met*'))).toHaveLength(10);
    for (const member of MEMBERS) expect(ephemeralTo(member), member).toHaveLength(1);
    expect(verifyChain(await a.store.audit(R)).ok).toBe(true);
    expect(await schema.sql('SELECT count(*)::int AS open FROM inbox WHERE done_at IS NULL')).toEqual([{ open: 0 }]);
    // Fourteen requests racing for one release on PGlite's single connection take seconds on a busy machine.
  }, 60_000);

  it('an envelope sent again to the other connection is acknowledged there and not handled twice', async () => {
    const payload = slashCommandPayload({ text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-again' });
    const first = await socket.send('slash_commands', payload, { to: toA });
    await settled();
    const again = await socket.send('slash_commands', payload, { to: toB, envelopeId: first.envelope_id });
    await settled();
    expect(toA.acked).toContain(first.envelope_id);
    expect(toB.acked).toContain(again.envelope_id);
    expect(again.envelope_id).toBe(first.envelope_id);
    expect(await entriesFor('T-again')).toEqual([expect.objectContaining({ outcome: 'applied', command: '/release confirm code-ready met' })]);
    // One answer, not a second saying it was recorded already.
    expect(ephemeralTo(DAN)).toEqual([expect.stringContaining('Recorded: criterion 1 (code-ready) *met*')]);
  });

  it('a button press sent again to the other while the first is still handling it is acknowledged there and handled once', async () => {
    const held = stallA();
    const payload = blockActionPayload({ userId: 'UOLIVIA', channelId: CHANNEL, actionId: 'golive:signoff:agree', value: JSON.stringify({ r: R, g: 'opsg' }), triggerId: 'T-press-again' });
    const first = await socket.send('interactive', payload, { to: toA });
    // Slack did not see that ack in time, say: it sends the same envelope on B's connection.
    const again = await socket.send('interactive', payload, { to: toB, envelopeId: first.envelope_id });
    await b.settled();
    expect(again.payload).toEqual({});
    expect(await entriesFor('T-press-again')).toEqual([]);

    held.resume();
    await settled();
    expect(await entriesFor('T-press-again')).toEqual([expect.objectContaining({ outcome: 'applied', command: '/release signoff opsg agree (button)' })]);
    expect((await a.store.get(R))!.release.groups.find((g) => g.id === 'opsg')!.signoffs).toHaveLength(1);
    expect(ephemeralTo('UOLIVIA')).toHaveLength(1);
    expect(interruptedNotes('UOLIVIA')).toEqual([]);
  });

  it('an event sent again to the other connection, with its retry_attempt, is acknowledged and not handled again', async () => {
    const body = {
      token: VERIFICATION_TOKEN,
      team_id: FAKE_TEAM.id,
      api_app_id: APP_ID,
      event: appHomeOpened(DAN),
      type: 'event_callback',
      event_id: 'Ev0REPLICAS01',
      event_time: 1_700_000_000,
      authorizations: [{ enterprise_id: null, team_id: FAKE_TEAM.id, user_id: FAKE_BOT.userId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
    const first = await socket.send('events_api', body, { to: toA });
    // Bolt acknowledges an event before its listener runs: wait for what the listener does.
    await vi.waitFor(() => expect(fake.callsTo('views.publish')).toHaveLength(1), { timeout: 5000, interval: 5 });
    await socket.send('events_api', body, { to: toB, envelopeId: first.envelope_id, retryAttempt: 1, retryReason: 'timeout' });
    await settled();
    expect(toB.acked).toContain(first.envelope_id);
    expect(fake.callsTo('views.publish')).toMatchObject([{ body: { user_id: DAN } }]);
  });

  it('a replica whose connection drops after it acknowledged leaves the request to the other, which handles it after the lease, once, and tells the person', async () => {
    const dead = stallA();
    const ack = await socket.send('slash_commands', slashCommandPayload({ text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-dropped' }), { to: toA });
    expect(toA.acked).toEqual(expect.arrayContaining([ack.envelope_id]));
    // A goes away without handling it: Slack has its ack, so it sends the envelope to no one else.
    toA.socket.terminate();
    await vi.waitFor(() => expect(toA.closed).toBeDefined(), { timeout: 5000, interval: 5 });
    expect(await entriesFor('T-dropped')).toEqual([]);
    const end = await leaseEnd('T-dropped');

    clock.set(new Date(end.getTime() - 1000).toISOString());
    expect(await b.serving.recover()).toBe(0);
    expect(await entriesFor('T-dropped')).toEqual([]);

    clock.set(end.toISOString());
    expect(await b.serving.recover()).toBe(1);
    await b.settled();
    expect(await entriesFor('T-dropped')).toEqual([expect.objectContaining({ outcome: 'applied', actor: { id: `slack:${DAN}`, platform: 'slack' } })]);
    expect(interruptedNotes(DAN)).toEqual([expect.stringContaining('golive was interrupted before it answered your `/release confirm code-ready met`')]);
    expect(interruptedNotes(DAN)[0]).toContain('Recorded: criterion 1 (code-ready) *met*.');

    // A never gets to it: its handler fails where it stalled. Nothing is recorded or said twice.
    dead.die();
    await a.serving.idle();
    clock.set(new Date(end.getTime() + 120_000).toISOString());
    expect(await a.serving.recover()).toBe(0);
    expect(await b.serving.recover()).toBe(0);
    expect(await entriesFor('T-dropped')).toHaveLength(1);
    expect(ephemeralTo(DAN).filter((text) => text.includes('Recorded: criterion 1'))).toEqual([]);
    expect(interruptedNotes(DAN)).toHaveLength(1);
    expect(await schema.sql('SELECT holder, outcome FROM inbox WHERE id = $1', ['T-dropped'])).toEqual([{ holder: 'replica-b', outcome: 'Answer recorded: Recorded: criterion 1 (code-ready) met.' }]);
    expect(verifyChain(await b.store.audit(R)).ok).toBe(true);
  });
});
