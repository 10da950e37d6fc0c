import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { deliverDue, MAX_ATTEMPTS, type ChatPorts } from '../src/app/delivery/outbox.js';
import { RENDERERS } from '../src/app/delivery/render-message.js';
import { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import type { Store } from '../src/app/store-port.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { slackPort } from '../adapters/slack/slack-port.js';
import { slackClientOptions } from '../adapters/slack/client.js';
import { consolePort } from '../adapters/console/console-port.js';
import { doneView } from '../src/views/messages.js';
import { t } from '../src/views/elements.js';
import { minimalRelease } from './fixtures/release-doc.js';
import { createRelease, editRelease } from './support/store-records.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { Harness } from './support/golive.js';
import { SlackHarness, CHANNEL } from './support/slack-harness.js';
import { recordOf } from './support/store-records.js';
import { readRaw, releaseFiles, releaseText } from './support/release-on-disk.js';

// The outbox holds what to say, not how it looked: messages are rendered when delivered, their
// outcomes are written once per batch, failures are retried on the platform's terms, and a
// message no try can deliver is shown to the managers.

const T0 = '2019-11-07T09:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms);
const MOVE = { from: { date: '2019-11-29', time: '18:00' }, to: { date: '2019-12-06', time: '18:00' }, reason: 'A severity 2 defect was found', by: 'U-manager', at: '2019-11-06T10:00:00.000Z' };

/** A pending announcement of the date move to `channel`, as a change would write it. */
const dateMoved = (channel: string, extra: Partial<OutboxMessage> = {}): OutboxMessage =>
  ({
    id: `date-moved:rel-1:${MOVE.at}:slack:${channel}`,
    kind: 'date-moved',
    to: { channel: { platform: 'slack', id: channel } },
    params: { index: 0 },
    createdAt: MOVE.at,
    status: 'pending',
    attempts: 0,
    ...extra,
  }) as OutboxMessage;

/** A store in a temp folder holding release rel-1 (its date moved once) with `outbox`; writes are counted. */
async function storeWith(outbox: OutboxMessage[]): Promise<{ store: Store; writes: () => number; dir: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-intent-'));
  const real = await openLowdbStore(dir);
  await createRelease(real, minimalRelease('rel-1', { dateChanges: [MOVE], implementation: { date: '2019-12-06', time: '18:00', zone: 'Europe/London' } }), outbox);
  let writes = 0;
  const store = new Proxy(real, {
    get(target, prop) {
      if (prop === 'transact') {
        return (...args: Parameters<Store['transact']>) => {
          writes += 1;
          return target.transact(...args);
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, writes: () => writes, dir, close: async () => (await real.close(), await rm(dir, { recursive: true, force: true })) };
}

const messageOf = async (store: Store) => (await recordOf(store, 'rel-1')).outbox[0]!;

describe('the outbox holds intent', () => {
  let h: Harness | undefined;
  let slack: SlackHarness | undefined;
  let fake: FakeSlack | undefined;
  let closeStore: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await h?.close();
    await slack?.close();
    await fake?.close();
    await closeStore?.();
    h = slack = fake = closeStore = undefined;
  });

  it('stores a kind and params, never a rendered view, and says it in full when delivered', async () => {
    h = await Harness.open('2019-11-07T09:00:00Z');
    const { output } = await h.run('/release create "Nov" 2019-11-29 --id nov\n/release date 2019-12-06 "A severity 2 defect was found"');
    expect(output).toContain('[#general] Nov moves from 29 Nov 2019 09:00 to 6 Dec 2019 09:00: A severity 2 defect was found.');
    const file = await releaseText(h.dir, 'nov');
    const [message] = (await readRaw(h.dir, 'nov')).outbox as Array<Record<string, unknown>>;
    const head = (await recordOf(h.store, 'nov')).audit.at(-1)!;
    expect(message).toMatchObject({ kind: 'date-moved', to: { channel: { platform: 'console', id: 'general' } }, params: { index: 0 }, record: { seq: head.seq, hash: head.hash }, status: 'sent' });
    expect(message).not.toHaveProperty('view');
    expect(file).not.toContain('moves from');
    expect(file).not.toContain('"blocks"');
  });

  it('renders at delivery: a renderer that says it differently changes what is sent, not what is stored', async () => {
    const s = await storeWith([dateMoved('C1')]);
    closeStore = s.close;
    const stored = JSON.stringify(await messageOf(s.store));
    const said: string[] = [];
    const original = RENDERERS['date-moved'];
    RENDERERS['date-moved'] = { words: 'Date move', render: (m, doc) => doneView('Renamed', t(`RENAMED: ${doc.release.name} now goes on ${doc.release.dateChanges[m.params.index]!.to.date}`)) };
    try {
      await deliverDue(s.store, { slack: consolePort((text) => said.push(text)) }, at(0));
    } finally {
      RENDERERS['date-moved'] = original;
    }
    expect(said.join('')).toContain('[#C1] RENAMED: Release rel-1 now goes on 2019-12-06');
    const after = await messageOf(s.store);
    const { status, attempts, sentAt, messageRef, ...intent } = after;
    expect({ status, attempts, sentAt }).toEqual({ status: 'sent', attempts: 1, sentAt: T0 });
    expect(messageRef).toMatch(/^console-/);
    const { status: _s, attempts: _a, ...before } = JSON.parse(stored) as OutboxMessage;
    expect(intent).toEqual(before);
    const file = await releaseText(s.dir, 'rel-1');
    expect(file).not.toContain('RENAMED');
    expect(file).not.toContain('moves from');
  });

  it('records the outcomes of a batch of messages to one release in one store write', async () => {
    const s = await storeWith(Array.from({ length: 10 }, (_, i) => dateMoved(`C${i}`)));
    closeStore = s.close;
    const said: string[] = [];
    expect(await deliverDue(s.store, { slack: consolePort((text) => said.push(text)) }, at(0))).toBe(10);
    expect(said).toHaveLength(10);
    expect(s.writes()).toBe(1);
    expect((await recordOf(s.store, 'rel-1')).outbox.map((m) => m.status)).toEqual(Array(10).fill('sent'));
    // Nothing is due any more: a second pass neither sends nor writes.
    expect(await deliverDue(s.store, { slack: consolePort((text) => said.push(text)) }, at(1000))).toBe(0);
    expect(s.writes()).toBe(1);
  });

  async function slackAgainstFake() {
    fake = await startFakeSlack();
    const client = new webApi.WebClient('xoxb-test-token', slackClientOptions({ botToken: 'xoxb-test-token', signingSecret: 'x', apiUrl: fake.url }));
    return { slack: slackPort(client) } satisfies ChatPorts;
  }
  const posts = () => fake!.callsTo('chat.postMessage');

  it("honours Slack's Retry-After of 7 s exactly: not a moment earlier, and no backoff added on top", async () => {
    const s = await storeWith([dateMoved(CHANNEL)]);
    closeStore = s.close;
    const ports = await slackAgainstFake();
    fake!.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    await deliverDue(s.store, ports, at(0));
    expect(await messageOf(s.store)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(7000).toISOString() });
    await deliverDue(s.store, ports, at(6999));
    expect(posts()).toHaveLength(1);
    await deliverDue(s.store, ports, at(7000));
    expect(posts()).toHaveLength(2);
    expect(posts()[1]!.failed).toBeUndefined();
    expect(JSON.stringify(posts()[1]!.body.blocks)).toContain('moves from 29 Nov 2019');
    expect(await messageOf(s.store)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it("holds that channel's posts until Slack's Retry-After, without counting a try, and sends to the other channels meanwhile", async () => {
    const s = await storeWith([dateMoved('C1'), dateMoved('C1', { id: 'second-to-C1', createdAt: '2019-11-06T10:00:01.000Z' }), dateMoved('C2', { createdAt: '2019-11-06T10:00:02.000Z' })]);
    closeStore = s.close;
    const ports = await slackAgainstFake();
    fake!.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    await deliverDue(s.store, ports, at(0));
    expect(posts().map((c) => [c.body.channel, c.failed ?? false])).toEqual([
      ['C1', true],
      ['C2', false],
    ]);
    expect((await recordOf(s.store, 'rel-1')).outbox.map((m) => [m.status, m.attempts, m.nextAttemptAt])).toEqual([
      ['pending', 1, at(7000).toISOString()],
      ['pending', 0, at(7000).toISOString()],
      ['sent', 1, undefined],
    ]);
    await deliverDue(s.store, ports, at(7000));
    expect((await recordOf(s.store, 'rel-1')).outbox.map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
    expect(
      posts()
        .filter((c) => !c.failed)
        .map((c) => c.body.channel),
    ).toEqual(['C2', 'C1', 'C1']);
  });

  it('backs off after a 5xx (2 s, then 4 s) and delivers once Slack recovers', async () => {
    const s = await storeWith([dateMoved(CHANNEL)]);
    closeStore = s.close;
    const ports = await slackAgainstFake();
    fake!.failNext('chat.postMessage', { status: 500 }, 2);
    await deliverDue(s.store, ports, at(0));
    expect(await messageOf(s.store)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(2000).toISOString() });
    await deliverDue(s.store, ports, at(1999));
    expect(posts()).toHaveLength(1);
    await deliverDue(s.store, ports, at(2000));
    expect(await messageOf(s.store)).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: at(6000).toISOString() });
    await deliverDue(s.store, ports, at(6000));
    expect(await messageOf(s.store)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(posts().filter((c) => !c.failed)).toHaveLength(1);
  });

  it('dead-letters a message after the last try and shows it in status to the managers only', async () => {
    slack = await SlackHarness.open();
    await slack.command('URITA', 'create "Nov" 2019-11-29 --id nov');
    slack.fake.failNext('chat.postMessage', { status: 500 }, MAX_ATTEMPTS);
    await slack.command('URITA', 'date 2019-12-06 "A severity 2 defect was found"');
    const announcement = async () => (await slack!.doc('nov')).outbox.find((m) => m.kind === 'date-moved')!;
    for (let tries = 1; tries < MAX_ATTEMPTS; tries += 1) {
      expect(await announcement()).toMatchObject({ status: 'pending', attempts: tries });
      slack.clock.set((await announcement()).nextAttemptAt!);
      await slack.serving.outbox.kick();
    }
    expect(await announcement()).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    expect((await announcement()).lastError).toContain('500');
    const failed = slack.fake.callsTo('chat.postMessage').filter((c) => c.failed);
    expect(failed).toHaveLength(MAX_ATTEMPTS);

    const { reply } = await slack.command('URITA', 'status');
    expect(reply).toContain('Not delivered (1)');
    expect(reply).toContain(`Date move announcement* to slack channel ${CHANNEL}:`);
    expect(reply).toContain(`(gave up after ${MAX_ATTEMPTS} tries)`);
    const other = await slack.command('UDAN', 'status');
    expect(other.reply).toContain('Nov');
    expect(other.reply).not.toContain('Not delivered');
    // Dead is final: later passes leave it alone.
    slack.clock.set('2019-11-08T09:00:00Z');
    await slack.serving.outbox.kick();
    expect(slack.fake.callsTo('chat.postMessage').filter((c) => c.failed)).toHaveLength(MAX_ATTEMPTS);
  });

  it('loads a document written with rendered views and old kinds, and delivers every pending message', async () => {
    slack = await SlackHarness.open();
    await slack.command('URITA', 'create "Nov" 2019-11-29 --id nov');
    await slack.command('URITA', 'ask');
    const dir = slack.dir;
    const posted = (await slack.doc('nov')).outbox.find((m) => m.kind === 'checklist')!;
    await slack.close(false);
    slack = undefined;

    // As golive wrote it before the outbox held intent: a channel, a view, kinds announcement and alert.
    // A version-1 document (<id>.json), which the store converts at open.
    const path = join(dir, 'releases', 'nov.json');
    const doc = await readRaw(dir, 'nov');
    for (const file of Object.values(releaseFiles(dir, 'nov'))) await rm(file);
    const channel = { platform: 'slack', id: CHANNEL };
    const oldView = (text: string) => ({ title: text, blocks: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
    const pending = { createdAt: '2019-11-07T09:00:05.000Z', status: 'pending', attempts: 0 };
    doc.outbox = [
      { id: posted.id, kind: 'checklist', channel, view: oldView('an old checklist'), createdAt: posted.createdAt, status: 'sent', attempts: 1, sentAt: posted.sentAt, messageRef: posted.messageRef },
      { id: `${posted.id}:update:9`, kind: 'checklist-update', channel, view: oldView('an old edit'), updates: posted.id, ...pending },
      { id: 'decision:nov:old', kind: 'announcement', channel, view: oldView('OLD ANNOUNCEMENT as it was rendered'), ...pending },
      { id: 'switch:nov:old', kind: 'alert', channel, view: oldView('OLD ALERT as it was rendered'), ...pending },
    ];
    await writeFile(path, JSON.stringify(doc));

    slack = await SlackHarness.open('2019-11-07T10:00:00Z', dir);
    await slack.serving.outbox.kick();
    const sent = slack.fake.callsTo('chat.postMessage').map((c) => JSON.stringify(c.body.blocks));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('OLD ANNOUNCEMENT as it was rendered');
    expect(sent[1]).toContain('OLD ALERT as it was rendered');
    // The old edit is made with the checklist as it is now, not the view it had stored.
    const edits = slack.fake.callsTo('chat.update');
    expect(edits).toHaveLength(1);
    expect(JSON.stringify(edits[0]!.body.blocks)).toContain('Go-live checklist');
    expect(JSON.stringify(edits[0]!.body.blocks)).not.toContain('an old edit');
    const outbox = (await slack.doc('nov')).outbox;
    expect(outbox.map((m) => [m.kind, m.status])).toEqual([
      ['checklist', 'sent'],
      ['checklist-update', 'sent'],
      ['legacy-view', 'sent'],
      ['legacy-view', 'sent'],
    ]);
    // Written back in the new shape.
    const rewritten = await releaseText(dir, 'nov');
    expect(rewritten).not.toContain('"channel":{"platform":"slack","id":"C0RELEASE"},"view"');
    expect((await readRaw(dir, 'nov')).outbox[2]).toMatchObject({ kind: 'legacy-view', to: { channel }, params: { was: 'announcement' } });
    const { reply } = await slack.command('URITA', 'status');
    expect(reply).not.toContain('Not delivered');
  });

  it('sends a direct message to one person on Slack, with a late note when it went out after it was due', async () => {
    slack = await SlackHarness.open();
    await slack.command('URITA', 'create "Nov" 2019-11-29 --id nov');
    await slack.command('URITA', 'date 2019-12-06 "A severity 2 defect was found"');
    // As the scheduler will write one: to a person, due earlier, sent late.
    await slack.store.transact('nov', () => ({
      outbox: [
        {
          id: 'dm:nov:date-moved:UDAN',
          kind: 'date-moved',
          to: { person: { platform: 'slack', id: 'slack:UDAN' } },
          params: { index: 0 },
          createdAt: '2019-11-07T09:00:30.000Z',
          status: 'pending',
          attempts: 0,
          dueAt: '2019-11-07T09:00:00.000Z',
          late: true,
        },
      ],
      result: undefined,
    }));
    await slack.serving.outbox.kick();
    const dm = slack.fake.callsTo('chat.postMessage').find((c) => c.body.channel === 'UDAN');
    expect(dm).toBeDefined();
    const blocks = JSON.stringify(dm!.body.blocks);
    expect(blocks).toContain('Nov moves from 29 Nov 2019 09:00 to 6 Dec 2019 09:00: A severity 2 defect was found.');
    expect(blocks).toContain('(late: due 7 Nov 2019 09:00 GMT)');
    expect((await slack.doc('nov')).outbox.find((m) => m.id === 'dm:nov:date-moved:UDAN')).toMatchObject({ status: 'sent', messageRef: expect.stringMatching(/^DDAN\//) });
  });

  it('prints a direct message in the console with whom it is for', async () => {
    const s = await storeWith([dateMoved('C1', { id: 'dm:rel-1', to: { person: { platform: 'console', id: 'console:dan' } } })]);
    closeStore = s.close;
    const said: string[] = [];
    await deliverDue(s.store, { console: consolePort((text) => said.push(text)) }, at(0));
    expect(said.join('')).toContain('[DM @dan] ');
    expect(said.join('')).toContain('Release rel-1 moves from 29 Nov 2019');
  });

  it("reads a person written with the bare id of their platform, before ids were qualified, as that platform's person", () => {
    const old = { id: 'dm:old', kind: 'date-moved', params: { index: 0 }, createdAt: T0, status: 'pending', attempts: 0 };
    expect(OutboxMessage.parse({ ...old, to: { person: { platform: 'slack', id: 'UDAN' } } }).to).toEqual({ person: { platform: 'slack', id: 'slack:UDAN' } });
    expect(OutboxMessage.parse({ ...old, to: { person: { platform: 'slack', id: 'slack:UDAN' } } }).to).toEqual({ person: { platform: 'slack', id: 'slack:UDAN' } });
    const alert = { ...old, kind: 'facts-alert', to: { channel: { platform: 'slack', id: 'C1' } }, params: { broken: [{ criterion: 'code-ready', cause: 'stale' }] } };
    expect(OutboxMessage.parse({ ...alert, params: { ...alert.params, actor: { id: 'rita', platform: 'console' } } }).params).toMatchObject({ actor: { id: 'console:rita', platform: 'console' } });
    expect(OutboxMessage.parse({ ...alert, params: { ...alert.params, actor: { id: 'hook:flags', platform: 'hook' } } }).params).toMatchObject({ actor: { id: 'hook:flags', platform: 'hook' } });
    // A qualified id must be of the platform it is delivered on.
    expect(OutboxMessage.safeParse({ ...old, to: { person: { platform: 'teams', id: 'teams:29:a' } } }).success).toBe(true);
    expect(() => OutboxMessage.parse({ ...old, to: { person: { platform: 'slack', id: 'teams:29:a' } } })).toThrow();
  });

  it('edits a checklist again when the release changed while it was being posted', async () => {
    const checklist = {
      id: 'checklist:rel-1:slack:C1',
      kind: 'checklist',
      to: { channel: { platform: 'slack', id: 'C1' } },
      params: {},
      createdAt: T0,
      status: 'pending',
      attempts: 0,
    } as OutboxMessage;
    const s = await storeWith([checklist]);
    closeStore = s.close;
    const shown: string[] = [];
    const ports: ChatPorts = {
      slack: {
        async post(_channel, view) {
          shown.push(JSON.stringify(view));
          // A change lands while the post is on its way.
          await editRelease(s.store, 'rel-1', (release) => (release.name = 'Renamed while posting'));
          return { ref: 'C1/1.0' };
        },
        async update(_channel, ref, view) {
          shown.push(`${ref} ${JSON.stringify(view)}`);
        },
        async dm() {
          throw new Error('not used');
        },
      },
    };
    await deliverDue(s.store, ports, at(0));
    expect(shown[0]).not.toContain('Renamed while posting');
    expect((await recordOf(s.store, 'rel-1')).outbox.map((m) => [m.kind, m.status])).toEqual([
      ['checklist', 'sent'],
      ['checklist-update', 'pending'],
    ]);
    await deliverDue(s.store, ports, at(1000));
    expect(shown[1]).toContain('C1/1.0');
    expect(shown[1]).toContain('Renamed while posting');
  });
});
