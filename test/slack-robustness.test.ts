import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackHarness, SECRET, CHANNEL } from './support/slack-harness.js';
import { appHomeOpened, blockAction, event, sendRaw } from './support/slack-requests.js';

const RITA = 'URITA';
const DAN = 'UDAN';
const value = (v: object) => JSON.stringify(v);

describe('golive on Slack, when things go wrong', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await SlackHarness.open();
    await h.command(RITA, 'create "Small" 2019-11-29 --id small');
    await h.command(RITA, `role DCC <@${DAN}>`);
    await h.command(RITA, 'group opsg members <@UOLIVIA> --quorum 1');
  });
  afterEach(() => h.close());

  const answers = async () => (await h.doc('small')).release.criteria[0]!.responses.length;
  /** Ten minutes on, past any Retry-After or backoff used here, the outbox goes round again. */
  const laterDeliver = async () => {
    h.clock.set(new Date(Date.parse('2019-11-07T09:00:00Z') + 10 * 60_000).toISOString());
    await h.serving.outbox.kick();
    await h.serving.outbox.kick();
  };

  it('answers GET /healthz', async () => {
    const response = await fetch(`${h.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('refuses a forged signature and a stale timestamp with 401, changing nothing', async () => {
    const body = new URLSearchParams({ command: '/release', text: 'confirm 1 met', user_id: DAN, channel_id: CHANNEL }).toString();
    const forged = await sendRaw(h.url, { body, contentType: 'application/x-www-form-urlencoded', secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await sendRaw(h.url, { body, contentType: 'application/x-www-form-urlencoded', secret: SECRET, timestamp: old });
    expect(stale.status).toBe(401);
    const unsigned = await sendRaw(h.url, { body, contentType: 'application/x-www-form-urlencoded', headers: {} });
    expect(unsigned.status).toBe(401);
    expect(await answers()).toBe(0);
  });

  it('answers a malformed or truncated payload with a 4xx and keeps serving', async () => {
    const broken = await sendRaw(h.url, { body: 'payload=%7B%22type%22%3A%22block_act', contentType: 'application/x-www-form-urlencoded', secret: SECRET });
    expect(broken.status).toBeGreaterThanOrEqual(400);
    expect(broken.status).toBeLessThan(500);
    const truncated = await sendRaw(h.url, { body: '{"type":"event_callback","event":{"type":"app_home_opened"', contentType: 'application/json', secret: SECRET });
    expect(truncated.status).toBeGreaterThanOrEqual(400);
    expect(truncated.status).toBeLessThan(500);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await h.command(RITA, 'list')).reply).toContain('Small');
  });

  it('tells a typo its usage and a suggestion, privately', async () => {
    const posts = h.fake.callsTo('chat.postMessage').length;
    const { reply } = await h.command(DAN, 'confrim 1 met');
    expect(reply).toContain('Did you mean `confirm`?');
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(posts);
  });

  it('gives an unknown button a polite private error', async () => {
    const before = h.fake.calls.length;
    await h.click(DAN, 'someone-elses:button', 'x');
    expect(h.repliesSince(before, DAN)).toContain('not one golive knows');
  });

  it('answers help briefly and status privately, status --public in the channel', async () => {
    expect((await h.command(DAN, 'help')).reply).toContain("golive runs each release's go-live checklist here");
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.command(DAN, 'status');
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(before);
    await h.command(DAN, 'status --public');
    const posted = h.fake.callsTo('chat.postMessage').slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.channel).toBe(CHANNEL);
    expect(JSON.stringify(posted[0]!.body.blocks)).toContain('Small: PENDING');
  });

  it('sends a public reply to the person instead when golive is not in the channel', async () => {
    h.fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.command(DAN, 'status --public');
    const calls = h.fake.callsTo('chat.postMessage').slice(before);
    expect(calls.map((c) => [c.body.channel, Boolean(c.failed)])).toEqual([
      [CHANNEL, true],
      [DAN, false],
    ]);
    expect(JSON.stringify(calls[1]!.body.blocks)).toContain('/invite @golive');
  });

  it('sends an audit export privately, as a file in a direct message', async () => {
    await h.command(RITA, 'audit export --format csv');
    const upload = h.fake.uploads.at(-1)!;
    expect(upload.filename).toBe('small-audit.csv');
    expect(upload.channel_id).not.toBe(CHANNEL);
    expect(h.fake.callsTo('conversations.open').at(-1)!.body.users).toBe(RITA);
    expect(upload.content).toContain('seq,at,actor,platform,command,outcome');
    expect(upload.content).toContain('URITA,slack,"/release create ""Small"" 2019-11-29 --id small",applied');
  });

  it('shows in status a checklist Slack refused to take, with the reason', async () => {
    h.fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    await h.command(RITA, 'ask');
    expect((await h.doc('small')).outbox.find((m) => m.kind === 'checklist')).toMatchObject({ status: 'failed' });
    const { reply } = await h.command(RITA, 'status');
    expect(reply).toContain('Not delivered (1)');
    expect(reply).toContain(`Checklist* to slack channel ${CHANNEL}: An API error occurred: not_in_channel`);
  });

  it('records a double click once and edits the checklist once', async () => {
    await h.command(RITA, 'ask');
    const updates = h.fake.callsTo('chat.update').length;
    const click = () => blockAction(h.url, SECRET, { userId: 'UOLIVIA', channelId: CHANNEL, messageTs: '1.000', actionId: 'golive:signoff:agree', value: value({ r: 'small', g: 'opsg' }) });
    await Promise.all([click(), click()]);
    await h.settled();
    expect((await h.doc('small')).release.groups[0]!.signoffs).toHaveLength(1);
    expect(h.fake.callsTo('chat.update')).toHaveLength(updates + 1);
  });

  it('does not handle a request Slack retries a second time', async () => {
    const home = { ...appHomeOpened(DAN) };
    await event(h.url, SECRET, home);
    await h.callTo('views.publish', 1);
    await event(h.url, SECRET, home, { retryNum: 1, retryReason: 'http_timeout' });
    await h.serving.idle();
    expect(h.fake.callsTo('views.publish')).toHaveLength(1);
  });

  it('waits for Retry-After on a 429 and then edits the checklist exactly once', async () => {
    await h.command(RITA, 'ask');
    h.fake.failNext('chat.update', { status: 429, retryAfter: 30 });
    await h.command(DAN, 'confirm 1 met --evidence https://example.org/x');
    expect(await answers()).toBe(1);
    const tried = h.fake.callsTo('chat.update');
    expect(tried.filter((c) => c.failed)).toHaveLength(1);
    expect(tried.filter((c) => !c.failed)).toHaveLength(0);

    await h.serving.outbox.kick();
    expect(h.fake.callsTo('chat.update')).toHaveLength(1);

    await laterDeliver();
    const delivered = h.fake.callsTo('chat.update').filter((c) => !c.failed);
    expect(delivered).toHaveLength(1);
    expect(JSON.stringify(delivered[0]!.body.blocks)).toContain('https://example.org/x');
    expect(await answers()).toBe(1);
  });

  it('retries a 500 from the outbox with backoff and posts the checklist once', async () => {
    h.fake.failNext('chat.postMessage', { status: 500 });
    await h.command(RITA, 'ask');
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.failed)).toHaveLength(1);
    await laterDeliver();
    const posted = h.fake.callsTo('chat.postMessage').filter((c) => !c.failed && JSON.stringify(c.body.blocks).includes('Go-live checklist'));
    expect(posted).toHaveLength(1);
    expect((await h.doc('small')).outbox.filter((m) => m.kind === 'checklist')).toMatchObject([{ status: 'sent', attempts: 2 }]);
  });

  it('edits the checklist once after a 500, with the answer recorded once', async () => {
    await h.command(RITA, 'ask');
    h.fake.failNext('chat.update', { status: 500 });
    await h.command(DAN, 'confirm 1 met --evidence https://example.org/after-500');
    expect(h.fake.callsTo('chat.update').filter((c) => c.failed)).toHaveLength(1);
    await laterDeliver();
    const delivered = h.fake.callsTo('chat.update').filter((c) => !c.failed);
    expect(delivered).toHaveLength(1);
    expect(JSON.stringify(delivered[0]!.body.blocks)).toContain('https://example.org/after-500');
    expect(await answers()).toBe(1);
  });

  it('records a click once when Slack retries the same request', async () => {
    await h.command(RITA, 'ask');
    const updates = h.fake.callsTo('chat.update').length;
    const click = (headers: Record<string, string>) =>
      blockAction(h.url, SECRET, { userId: 'UOLIVIA', channelId: CHANNEL, messageTs: '1.000', actionId: 'golive:signoff:agree', value: value({ r: 'small', g: 'opsg' }), triggerId: 'T-1', headers });
    await click({});
    await h.settled();
    await click({ 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' });
    await h.settled();
    expect((await h.doc('small')).release.groups[0]!.signoffs).toHaveLength(1);
    expect(h.fake.callsTo('chat.update')).toHaveLength(updates + 1);
  });

  it('pings nobody when user text holds <!channel> or <!everyone>', async () => {
    // A broadcast mention Slack made of `@channel` becomes plain words; `<!everyone>` typed as characters reaches golive as entities.
    await h.command(RITA, 'create "<!channel> release" 2019-12-02 --id pinged', 'C0OTHER');
    await h.command(RITA, `role DCC <@${DAN}> --release pinged`, 'C0OTHER');
    await h.command(DAN, 'confirm 1 need-info "&lt;!everyone&gt; look, <!here|here>" --release pinged', 'C0OTHER');
    await h.command(RITA, 'ask --release pinged', 'C0OTHER');
    const release = (await h.doc('pinged')).release;
    expect(release.name).toBe('@channel release');
    expect(release.criteria[0]!.responses[0]!.comment).toBe('<!everyone> look, @here');
    const raw = JSON.stringify(h.fake.calls.filter((c) => c.method.startsWith('chat.')).map((c) => c.body));
    expect(raw).not.toContain('<!channel>');
    expect(raw).not.toContain('<!everyone>');
    expect(raw).not.toContain('<!here>');
    expect(raw).toContain('@channel release');
    expect(raw).toContain('&lt;!everyone&gt; look, @here');
  });

  it("shows a person's pending items, with buttons, in App Home", async () => {
    await event(h.url, SECRET, appHomeOpened(DAN));
    await h.callTo('views.publish');
    const view = h.fake.callsTo('views.publish')[0]!.body.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('Small');
    expect(text).toContain('code-ready');
    expect(text).toContain('golive:answer:met');
    expect(text).not.toContain('golive:decide:go');
  });
});
