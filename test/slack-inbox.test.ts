import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GoliveApp } from '../src/app/app.js';
import { ANSWER_FORM } from '../src/app/language/action-ids.js';
import type { Received } from '../src/app/inbox.js';
import { verifyChain } from '../src/domain/audit.js';
import { INBOX_FILE, nodeInboxFs, type InboxFs } from '../store/inbox-file.js';
import { StoreError } from '../src/app/store-port.js';
import { SlackHarness, SECRET, CHANNEL } from './support/slack-harness.js';
import { blockAction, slashCommand, viewSubmission } from './support/slack-requests.js';
import { qualify } from '../src/domain/person-id.js';

// Durable, then ack: what Slack is told "received" is in <data>/inbox.jsonl before the HTTP 200,
// and what a crash leaves there is handled at the next start, its person told.

const RITA = 'URITA';
const DAN = 'UDAN';
const OLIVIA = 'UOLIVIA';
const MALLORY = 'UMALLORY';
const R = 'small';

type Line = Received | { type: 'done'; id: string; outcome: string };

async function inboxLines(dir: string): Promise<Line[]> {
  let text = '';
  try {
    text = await readFile(join(dir, INBOX_FILE), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

/** Holds every command the app is asked to run until the test lets it go. */
function hold(app: GoliveApp): () => void {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const execute = app.execute.bind(app);
  app.execute = async (request) => {
    await gate;
    return execute(request);
  };
  return () => {
    app.execute = execute;
    release();
  };
}

const formMetadata = (criterion: string, answer: 'met' | 'not-met' | 'need-info') => JSON.stringify({ m: JSON.stringify({ r: R, c: criterion, a: answer }), ch: CHANNEL });
const formValues = (comment: string, evidence = '') => ({ evidence: { evidence }, comment: { comment } });

async function setUp(h: SlackHarness): Promise<void> {
  await h.command(RITA, `create "Small" 2019-11-29 --id ${R}`);
  await h.command(RITA, `role DCC <@${DAN}>`);
  await h.command(RITA, `group opsg members <@${OLIVIA}> --quorum 1`);
}

describe('Slack requests go to the inbox before they are acknowledged', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await SlackHarness.open();
    await setUp(h);
  });
  afterEach(() => h.close());

  const audit = async () => (await h.doc(R)).audit;
  const byRequest = async (id: string) => (await audit()).filter((e) => e.request === id);

  it('has a slash command on disk when the 200 arrives, then records it with its request id and marks it done', async () => {
    const let_go = hold(h.serving.app);
    const response = await slashCommand(h.url, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-cmd-1' });
    expect(response.status).toBe(200);
    expect(await inboxLines(h.dir)).toContainEqual(
      expect.objectContaining({ type: 'received', kind: 'command', id: 'T-cmd-1', actor: DAN, channel: CHANNEL, text: '/release confirm code-ready met' }),
    );
    expect(await byRequest('T-cmd-1')).toHaveLength(0);
    let_go();
    await h.settled();
    expect(await byRequest('T-cmd-1')).toEqual([expect.objectContaining({ outcome: 'applied', command: '/release confirm code-ready met' })]);
    expect(await inboxLines(h.dir)).toContainEqual({ type: 'done', id: 'T-cmd-1', at: expect.any(String), outcome: 'Answer recorded: Recorded: criterion 1 (code-ready) met.' });
    expect(verifyChain(await audit()).ok).toBe(true);
  });

  it('has a button press on disk when the 200 arrives', async () => {
    const let_go = hold(h.serving.app);
    const value = JSON.stringify({ r: R, g: 'opsg' });
    const response = await blockAction(h.url, SECRET, { userId: OLIVIA, channelId: CHANNEL, actionId: 'golive:signoff:agree', value, triggerId: 'T-click-1' });
    expect(response.status).toBe(200);
    expect(await inboxLines(h.dir)).toContainEqual(expect.objectContaining({ type: 'received', kind: 'action', id: 'T-click-1', actor: OLIVIA, actionId: 'golive:signoff:agree', value }));
    expect((await h.doc(R)).release.groups[0]!.signoffs).toHaveLength(0);
    let_go();
    await h.settled();
    expect(await byRequest('T-click-1')).toEqual([expect.objectContaining({ outcome: 'applied', command: '/release signoff opsg agree (button)' })]);
  });

  it('has a form submission on disk when the 200 closes the modal', async () => {
    const let_go = hold(h.serving.app);
    const response = await viewSubmission(h.url, SECRET, {
      userId: DAN,
      callbackId: ANSWER_FORM,
      privateMetadata: formMetadata('ops-ready', 'not-met'),
      values: formValues('Runbook not signed'),
      triggerId: 'T-form-1',
    });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(await inboxLines(h.dir)).toContainEqual(
      expect.objectContaining({ type: 'received', kind: 'form', id: 'T-form-1', formId: ANSWER_FORM, channel: CHANNEL, values: { evidence: '', comment: 'Runbook not signed' } }),
    );
    let_go();
    await h.settled();
    const answers = (await h.doc(R)).release.criteria.find((c) => c.id === 'ops-ready')!.responses;
    expect(answers).toEqual([expect.objectContaining({ answer: 'not-met', comment: 'Runbook not signed', by: `slack:${DAN}` })]);
    expect(await byRequest('T-form-1')).toHaveLength(1);
    expect(h.repliesSince(0, DAN)).toContain('Recorded: criterion 6 (ops-ready)');
  });

  it('answers a form with a bad link in the form itself and writes nothing', async () => {
    const before = (await audit()).length;
    const response = await viewSubmission(h.url, SECRET, {
      userId: DAN,
      callbackId: ANSWER_FORM,
      privateMetadata: formMetadata('code-ready', 'met'),
      values: formValues('', 'not-a-link'),
      triggerId: 'T-bad-form',
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ response_action: 'errors', errors: { evidence: 'Not an http(s) link: not-a-link' } });
    expect((await inboxLines(h.dir)).some((l) => l.id === 'T-bad-form')).toBe(false);
    expect(await audit()).toHaveLength(before);
  });

  it('handles a request Slack sends again with the same trigger_id once', async () => {
    const replies = h.fake.callsTo('chat.postEphemeral').length;
    const send = () => slashCommand(h.url, SECRET, { text: 'risk add "Data migration may overrun"', userId: RITA, channelId: CHANNEL, triggerId: 'T-twice' });
    expect((await send()).status).toBe(200);
    await h.settled();
    expect((await send()).status).toBe(200);
    await h.settled();
    expect((await h.doc(R)).release.risks).toHaveLength(1);
    expect(await byRequest('T-twice')).toHaveLength(1);
    expect((await inboxLines(h.dir)).filter((l) => l.type === 'received' && l.id === 'T-twice')).toHaveLength(1);
    expect(h.fake.callsTo('chat.postEphemeral').slice(replies)).toHaveLength(1);
  });

  it('acknowledges a click Slack marks as a retry without handling it', async () => {
    const value = JSON.stringify({ r: R, g: 'opsg' });
    const response = await blockAction(h.url, SECRET, {
      userId: OLIVIA,
      channelId: CHANNEL,
      actionId: 'golive:signoff:agree',
      value,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(response.status).toBe(200);
    await h.settled();
    expect((await h.doc(R)).release.groups[0]!.signoffs).toHaveLength(0);
  });

  it('tells the person nothing was done when the inbox cannot save their request', async () => {
    const receive = h.inbox.receive.bind(h.inbox);
    h.inbox.receive = () => Promise.reject(new StoreError(`${join(h.dir, INBOX_FILE)}: could not be saved (ENOSPC: no space left on device)`));
    try {
      const before = (await audit()).length;
      const command = await slashCommand(h.url, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL });
      expect(command.status).toBe(200);
      expect(command.text).toContain('golive could not save your request, so nothing was done');
      await blockAction(h.url, SECRET, { userId: OLIVIA, channelId: CHANNEL, actionId: 'golive:signoff:agree', value: JSON.stringify({ r: R, g: 'opsg' }) });
      await h.settled();
      expect(
        h.fake
          .callsTo('chat.postMessage')
          .filter((c) => c.body.channel === OLIVIA)
          .map((c) => c.body.text),
      ).toEqual([expect.stringContaining('nothing was done')]);
      expect(await audit()).toHaveLength(before);
      expect(h.logs.join('\n')).toContain('inbox: could not save request');
    } finally {
      h.inbox.receive = receive;
    }
  });

  it('audits the refusal of an answer button with its request id, and records nothing else', async () => {
    await blockAction(h.url, SECRET, { userId: MALLORY, channelId: CHANNEL, actionId: 'golive:answer:met', value: JSON.stringify({ r: R, c: 'code-ready' }), triggerId: 'T-refused' });
    await h.settled();
    expect(await byRequest('T-refused')).toEqual([expect.objectContaining({ outcome: 'refused', actor: { id: `slack:${MALLORY}`, platform: 'slack' } })]);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });
});

describe('a request that only reads', () => {
  /** The inbox on a disk whose fsyncs fail while `failing` is set (appends still land). */
  function failingSyncs() {
    const state = { failing: false, syncs: 0 };
    const fs: InboxFs = {
      ...nodeInboxFs,
      open: async (path, flags) => {
        const handle = await nodeInboxFs.open(path, flags);
        return {
          ...handle,
          sync: async () => {
            state.syncs += 1;
            if (state.failing) throw new Error('EIO: i/o error, fsync');
            await handle.sync();
          },
        };
      },
    };
    return { fs, state };
  }

  it('is acknowledged and answered once written, with no fsync; a change whose fsync fails is refused, and nothing is done', async () => {
    const { fs, state } = failingSyncs();
    const h = await SlackHarness.open(undefined, undefined, {}, { inboxFs: fs });
    try {
      await setUp(h);
      await h.settled();
      const before = { audit: (await h.doc(R)).audit.length, syncs: state.syncs };
      state.failing = true;
      const status = await h.command(DAN, `status --release ${R}`);
      expect(status.status).toBe(200);
      expect(status.reply).toContain('Small');
      expect(state.syncs).toBe(before.syncs);
      expect(await inboxLines(h.dir)).toContainEqual(expect.objectContaining({ type: 'received', actor: DAN, text: `/release status --release ${R}` }));

      const confirm = await slashCommand(h.url, SECRET, { text: 'confirm code-ready met', userId: DAN, channelId: CHANNEL, triggerId: 'T-unsynced' });
      expect(confirm.text).toContain('golive could not save your request, so nothing was done');
      await h.settled();
      expect(state.syncs).toBeGreaterThan(before.syncs);
      expect((await h.doc(R)).audit).toHaveLength(before.audit);
      expect((await inboxLines(h.dir)).some((l) => l.id === 'T-unsynced')).toBe(false);
    } finally {
      state.failing = false;
      await h.close();
    }
  });

  it('is handled while it is saved, but answered only once saved: when it cannot be, the person is told so and sees no status', async () => {
    const h = await SlackHarness.open();
    try {
      await setUp(h);
      await h.settled();
      const receive = h.inbox.receive.bind(h.inbox);
      h.inbox.receive = () => Promise.reject(new StoreError(`${join(h.dir, INBOX_FILE)}: could not be saved (ENOSPC: no space left on device)`));
      const ephemerals = h.fake.callsTo('chat.postEphemeral').length;
      const posts = h.fake.callsTo('chat.postMessage').length;
      try {
        const status = await slashCommand(h.url, SECRET, { text: `status --release ${R}`, userId: DAN, channelId: CHANNEL, triggerId: 'T-unsaved-status' });
        expect(status.status).toBe(200);
        expect(status.text).toContain('golive could not save your request, so nothing was done');
        await h.settled();
        expect(h.fake.callsTo('chat.postEphemeral').length).toBe(ephemerals);
        expect(h.fake.callsTo('chat.postMessage').length).toBe(posts);
      } finally {
        h.inbox.receive = receive;
      }
      // Saved again: the same question is answered.
      const again = await h.command(DAN, `status --release ${R}`);
      expect(again.reply).toContain('Small');
    } finally {
      await h.close();
    }
  });

  it('is on file when the 200 arrives: if golive stops before answering, the restart answers it', async () => {
    const first = await SlackHarness.open();
    await setUp(first);
    const let_go = hold(first.serving.app);
    const response = await slashCommand(first.url, SECRET, { text: `status --release ${R}`, userId: OLIVIA, channelId: CHANNEL, triggerId: 'T-status' });
    expect(response.status).toBe(200);
    // What a kill of golive at this moment leaves: the operating system has the bytes.
    const left = await readFile(join(first.dir, INBOX_FILE), 'utf8');
    expect(left).toContain('"id":"T-status"');
    let_go();
    await first.settled();
    const dir = first.dir;
    await first.close(false);
    await writeFile(join(dir, INBOX_FILE), left);

    const h = await SlackHarness.open('2019-11-07T11:00:00Z', dir);
    try {
      const dms = h.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.body.channel === OLIVIA)
        .map((c) => JSON.stringify(c.body.blocks));
      expect(dms).toEqual([expect.stringContaining(`golive was interrupted before it answered your ${'`'}/release status --release ${R}${'`'}`)]);
      expect(dms[0]).toContain('Small');
      expect(h.inbox.unfinished()).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('start-up after a crash', () => {
  it('handles what was acknowledged and not done, once, in order, and tells each person in a direct message', async () => {
    const first = await SlackHarness.open();
    await setUp(first);
    // Applied before the crash, but never marked done: its audit entry carries the request id.
    await first.serving.app.handle({
      actor: { id: qualify('slack', DAN), platform: 'slack' },
      channel: { platform: 'slack', id: CHANNEL },
      text: '/release confirm code-ready met',
      requestId: 'T-applied',
    });
    const dir = first.dir;
    await first.close(false);
    const waiting: Received[] = [
      {
        type: 'received',
        kind: 'command',
        id: 'T-applied',
        at: '2019-11-07T10:02:00.000Z',
        platform: 'slack',
        actor: DAN,
        channel: CHANNEL,
        reply: { user: DAN, channel: CHANNEL },
        text: '/release confirm code-ready met',
      },
      {
        type: 'received',
        kind: 'form',
        id: 'T-lost',
        at: '2019-11-07T10:03:00.000Z',
        platform: 'slack',
        actor: DAN,
        channel: CHANNEL,
        reply: { user: DAN, channel: CHANNEL },
        formId: ANSWER_FORM,
        metadata: JSON.stringify({ r: R, c: 'ops-ready', a: 'not-met' }),
        values: { evidence: '', comment: 'Runbook not signed' },
      },
      {
        type: 'received',
        kind: 'action',
        id: 'T-click',
        at: '2019-11-07T10:04:00.000Z',
        platform: 'slack',
        actor: OLIVIA,
        channel: CHANNEL,
        reply: { user: OLIVIA, channel: CHANNEL },
        actionId: 'golive:signoff:agree',
        value: JSON.stringify({ r: R, g: 'opsg' }),
      },
    ];
    await appendFile(join(dir, INBOX_FILE), waiting.map((e) => `${JSON.stringify(e)}\n`).join(''));

    const h = await SlackHarness.open('2019-11-07T11:00:00Z', dir);
    try {
      const audit = (await h.doc(R)).audit;
      for (const id of ['T-applied', 'T-lost', 'T-click'])
        expect(
          audit.filter((e) => e.request === id),
          id,
        ).toHaveLength(1);
      expect(audit.map((e) => e.request).filter((id) => id?.startsWith('T-'))).toEqual(['T-applied', 'T-lost', 'T-click']);
      expect(verifyChain(audit).ok).toBe(true);

      const dms = (user: string) =>
        h.fake
          .callsTo('chat.postMessage')
          .filter((c) => c.body.channel === user)
          .map((c) => JSON.stringify(c.body.blocks));
      expect(dms(DAN)).toHaveLength(2);
      expect(dms(DAN)[0]).toContain('golive was interrupted before it answered your `/release confirm code-ready met` (received 10:02 UTC, 2019-11-07)');
      expect(dms(DAN)[0]).toContain('Already recorded');
      expect(dms(DAN)[1]).toContain('golive was interrupted before it answered your answer form (received 10:03 UTC, 2019-11-07)');
      expect(dms(DAN)[1]).toContain('Recorded: criterion 6 (ops-ready)');
      expect(dms(OLIVIA)).toEqual([expect.stringContaining('golive was interrupted before it answered your press of the agree button (received 10:04 UTC, 2019-11-07):')]);
      expect(dms(OLIVIA)[0]).toContain('Recorded: <@UOLIVIA> agrees for OPSG.');
      expect(h.inbox.unfinished()).toEqual([]);
      expect((await inboxLines(dir)).filter((l) => l.type === 'done' && l.id.startsWith('T-')).map((l) => l.id)).toEqual(['T-applied', 'T-lost', 'T-click']);
    } finally {
      await h.close();
    }
  });

  it('refuses to start on an inbox line that is not a record, naming the file and line', async () => {
    const first = await SlackHarness.open();
    const dir = first.dir;
    await first.close(false);
    await appendFile(join(dir, INBOX_FILE), '{"type":"received"}\n{"type":"done","id":"x","at":"2019-11-07T10:00:00Z","outcome":"ok"}\n');
    await expect(SlackHarness.open('2019-11-07T11:00:00Z', dir)).rejects.toThrow(`${join(dir, INBOX_FILE)}: line 1 is not an inbox record`);
  });
});

describe('a burst of 150 form submissions', () => {
  it("acknowledges every one within Slack's time (no Bolt timeout warning) and records every answer", async () => {
    const h = await SlackHarness.open();
    try {
      await setUp(h);
      const responses = await Promise.all(
        Array.from({ length: 150 }, (_, n) =>
          viewSubmission(h.url, SECRET, { userId: DAN, callbackId: ANSWER_FORM, privateMetadata: formMetadata('code-ready', 'not-met'), values: formValues(`Reason ${n}`), triggerId: `T-burst-${n}` }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 150 }, () => 200));
      await h.settled();
      expect((await h.doc(R)).release.criteria[0]!.responses).toHaveLength(150);
      expect(h.logs.filter((m) => /not acknowledged/i.test(m))).toEqual([]);
      expect(h.fake.callsTo('chat.postEphemeral').filter((c) => c.body.user === DAN && JSON.stringify(c.body.blocks).includes('Recorded: criterion 1'))).toHaveLength(150);
    } finally {
      await h.close();
    }
  }, 60_000);
});
