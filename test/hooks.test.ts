import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackHarness, CHANNEL } from './support/slack-harness.js';
import { signHook } from '../adapters/hooks/signature.js';
import { evaluate } from '../src/domain/readiness.js';

// The switch and facts webhooks, through golive's real HTTP server, with a fake Slack receiving
// what they cause. Time is the harness's TestClock: "now" is whatever the test set.
const HOOK_SECRET = 'hook-secret-0123456789abcdef0123456789abcdef';
const RITA = 'URITA';
const DAN = 'UDAN';
const R = 'nov-2019-sec';
const START = '2019-11-19T09:00:00Z';
const NOW = '2019-11-20T10:00:00Z';
const unix = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));
const MINUTE = 60_000;

interface Sent {
  status: number;
  json: Record<string, unknown>;
}

async function post(h: SlackHarness, path: string, body: string, headers: Record<string, string>, method = 'POST'): Promise<Sent> {
  const response = await fetch(`${h.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'POST' && { body }) });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: response.status, json };
}

/**
 * A correctly signed call, stamped `skewMs` from golive's clock (which only moves forward, one
 * second a reading), then the outbox delivered.
 */
async function hook(h: SlackHarness, path: string, payload: unknown, options: { skewMs?: number; secret?: string } = {}): Promise<Sent> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const timestamp = unix(new Date(h.clock.now().getTime() + (options.skewMs ?? 0)).toISOString());
  const sent = await post(h, path, body, { 'x-golive-timestamp': timestamp, 'x-golive-signature': signHook(options.secret ?? HOOK_SECRET, timestamp, body) });
  await h.settled();
  return sent;
}

const postsToChannel = (h: SlackHarness) => h.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNEL && !JSON.stringify(c.body.blocks ?? '').includes('Go-live checklist'));
const textOf = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body.blocks ?? call.body.text);

async function setUp(h: SlackHarness): Promise<void> {
  for (const line of [
    'create "November 2019 SEC Release" 2019-11-29 --template sec-release --id nov-2019-sec',
    `role DCC <@${DAN}>`,
    'facts defects sev1=0 sev2=0 sev3=4 sev4=7 sev5=2 --plans yes',
    'switch SECMP0062 off',
  ]) {
    const { status, reply } = await h.command(RITA, line);
    expect(status, line).toBe(200);
    expect(reply, line).not.toContain('Not done');
  }
}

describe('the switch and facts webhooks', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.open(START, undefined, {}, { hookSecret: HOOK_SECRET });
    await setUp(h);
  });
  afterAll(() => h.close());

  it('records a guarded switch turned on, audits it with its source, alerts the channel and makes the verdict NO-GO', async () => {
    const before = postsToChannel(h).length;
    const sent = await hook(h, '/hooks/switch', { release: R, key: 'SECMP0062', state: 'on', source: 'flag service', actor: 'deploy-bot' });
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ ok: true, verdict: 'NO-GO' });
    expect(String(sent.json.recorded)).toContain('Switch SECMP0062 recorded as on');

    const doc = await h.doc(R);
    expect(doc.release.switches.find((s) => s.key === 'SECMP0062')).toMatchObject({ current: 'on' });
    expect(evaluate(doc.release, new Date(NOW)).verdict).toBe('NO-GO');
    const entry = doc.audit.at(-1)!;
    expect(entry).toMatchObject({ outcome: 'applied', actor: { id: 'hook:deploy-bot', platform: 'hook' } });
    expect(entry.command).toBe('/release switch SECMP0062 on --source "flag service" --release nov-2019-sec (hook from deploy-bot)');

    const alerts = postsToChannel(h).slice(before);
    expect(alerts).toHaveLength(1);
    expect(textOf(alerts[0]!)).toContain('ALERT: guarded switch SECMP0062 turned on');
    expect(textOf(alerts[0]!)).toContain('hook:deploy-bot via hook, flag service');
    expect(textOf(alerts[0]!)).not.toContain('<@hook');
  });

  it('announces the switch put back, and the verdict no longer blocks on it', async () => {
    const before = postsToChannel(h).length;
    const sent = await hook(h, '/hooks/switch', { release: R, key: 'SECMP0062', state: 'off', source: 'flag service' });
    expect(sent.status).toBe(200);
    expect(sent.json.verdict).not.toBe('NO-GO');
    const posts = postsToChannel(h).slice(before);
    expect(posts).toHaveLength(1);
    expect(textOf(posts[0]!)).toContain('Guarded switch SECMP0062 is off');
    expect(textOf(posts[0]!)).toContain('Put back as expected');
    expect((await h.doc(R)).audit.at(-1)!.actor).toEqual({ id: 'hook:flag-service', platform: 'hook' });
  });

  it('tells the owners in the channel when new facts break a confirmed criterion', async () => {
    const { reply } = await h.command(DAN, 'confirm no-sev1-sev2 met');
    expect(reply).not.toContain('Not done');
    expect(evaluate((await h.doc(R)).release, new Date(NOW)).criteria.find((c) => c.criterion.id === 'no-sev1-sev2')!.state).toBe('met');

    const before = postsToChannel(h).length;
    const sent = await hook(h, '/hooks/facts', { release: R, defects: { sev2: 1 }, testingIssues: 3, threshold: 10, phases: [{ name: 'SIT', closed: true }], source: 'defect tracker' });
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ ok: true, verdict: 'NO-GO' });
    expect(String(sent.json.recorded)).toContain('sev2=1');

    const doc = await h.doc(R);
    expect(doc.release.facts.defects!.counts).toMatchObject({ 1: 0, 2: 1, 3: 4 });
    expect(doc.release.facts.testingIssues).toMatchObject({ count: 3, threshold: 10 });
    expect(doc.release.facts.phases.map((p) => p.name)).toContain('SIT');
    const criterion = evaluate(doc.release, new Date(NOW)).criteria.find((c) => c.criterion.id === 'no-sev1-sev2')!;
    expect(criterion.state).toBe('failed');
    expect(criterion.stale).toBe(true);
    // One change, one entry, however many facts it carried.
    expect(doc.audit.at(-1)).toMatchObject({ outcome: 'applied', actor: { id: 'hook:defect-tracker', platform: 'hook' } });
    expect(doc.audit.at(-1)!.command).toContain('(hook from defect tracker)');
    expect(doc.audit.at(-2)!.command).toBe('/release confirm no-sev1-sev2 met');

    const told = postsToChannel(h).slice(before);
    expect(told).toHaveLength(1);
    const text = textOf(told[0]!);
    expect(text).toContain('no-sev1-sev2');
    expect(text).toContain('its rule now fails: 1 severity 2 defect outstanding');
    expect(text).toContain(`<@${DAN}>`);
  });

  it('tells the owners when new facts make a confirmation stale though its rule still holds', async () => {
    const { reply } = await h.command(DAN, 'confirm test-phases-closed met');
    expect(reply).not.toContain('Not done');
    const before = postsToChannel(h).length;
    const sent = await hook(h, '/hooks/facts', { release: R, phases: [{ name: 'UIT', closed: true }], actor: 'ci' });
    expect(sent.status).toBe(200);
    const criterion = evaluate((await h.doc(R)).release, new Date(NOW)).criteria.find((c) => c.criterion.id === 'test-phases-closed')!;
    expect(criterion.stale).toBe(true);
    expect(criterion.rule?.state).toBe('holds');
    const told = postsToChannel(h).slice(before);
    expect(told).toHaveLength(1);
    expect(textOf(told[0]!)).toContain('test-phases-closed');
    expect(textOf(told[0]!)).toContain('its confirmation is stale: confirm it again');
    expect(textOf(told[0]!)).toContain(`<@${DAN}>`);
    expect(textOf(told[0]!)).toContain('hook:ci via hook');
  });

  it('a replayed call (same timestamp, body and signature) changes nothing, even after a later change', async () => {
    const body = JSON.stringify({ release: R, key: 'SECMP0062', state: 'on', source: 'flag service' });
    const timestamp = unix(h.clock.now().toISOString());
    const headers = { 'x-golive-timestamp': timestamp, 'x-golive-signature': signHook(HOOK_SECRET, timestamp, body) };
    expect((await post(h, '/hooks/switch', body, headers)).status).toBe(200);
    await h.settled();
    expect((await hook(h, '/hooks/switch', { release: R, key: 'SECMP0062', state: 'off', source: 'flag service' })).status).toBe(200);
    const entries = (await h.doc(R)).audit.length;
    const posts = postsToChannel(h).length;

    const replayed = await post(h, '/hooks/switch', body, headers);
    await h.settled();
    expect(replayed.status).toBe(200);
    expect(replayed.json).toMatchObject({ ok: true, duplicate: true });
    expect(String(replayed.json.recorded)).toContain('Already recorded');
    expect((await h.doc(R)).release.switches[0]!.current).toBe('off');
    expect((await h.doc(R)).audit).toHaveLength(entries);
    expect(postsToChannel(h)).toHaveLength(posts);
  });

  it('says nothing in the channel when the facts break nothing', async () => {
    const before = postsToChannel(h).length;
    const sent = await hook(h, '/hooks/facts', { release: R, defects: { sev4: 9 } });
    expect(sent.status).toBe(200);
    expect((await h.doc(R)).release.facts.defects!.counts[4]).toBe(9);
    expect(postsToChannel(h).slice(before)).toHaveLength(0);
  });
});

describe('webhook calls that are refused change nothing', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.open(START, undefined, {}, { hookSecret: HOOK_SECRET });
    await setUp(h);
  });
  afterAll(() => h.close());

  let bytes: string;
  let calls: number;
  const releaseFile = async () => {
    const { readdir } = await import('node:fs/promises');
    const found: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.includes(R) && entry.name.endsWith('.json')) found.push(path);
      }
    };
    await walk(h.dir);
    expect(found).toHaveLength(1);
    return readFile(found[0]!, 'utf8');
  };
  beforeEach(async () => {
    bytes = await releaseFile();
    calls = h.fake.calls.length;
  });
  afterEach(async () => {
    expect(await releaseFile()).toBe(bytes);
    expect(h.fake.calls.length).toBe(calls);
  });

  const good = { release: R, key: 'SECMP0062', state: 'on', source: 'flag service' };

  it('a signature under another secret: 401', async () => {
    const sent = await hook(h, '/hooks/switch', good, { secret: 'another-secret-0123456789abcdef0123456789' });
    expect(sent.status).toBe(401);
    expect(sent.json.error).toContain('X-Golive-Signature does not match');
  });

  it('a body changed after signing: 401', async () => {
    const body = JSON.stringify(good);
    const timestamp = unix(h.clock.now().toISOString());
    const sent = await post(h, '/hooks/switch', body.replace('"on"', '"off"'), { 'x-golive-timestamp': timestamp, 'x-golive-signature': signHook(HOOK_SECRET, timestamp, body) });
    expect(sent.status).toBe(401);
  });

  it('missing headers: 401', async () => {
    const body = JSON.stringify(good);
    const now = unix(h.clock.now().toISOString());
    expect((await post(h, '/hooks/switch', body, {})).status).toBe(401);
    expect((await post(h, '/hooks/switch', body, { 'x-golive-timestamp': now })).status).toBe(401);
    const noTime = await post(h, '/hooks/switch', body, { 'x-golive-signature': signHook(HOOK_SECRET, now, body) });
    expect(noTime.status).toBe(401);
    expect(noTime.json.error).toContain('X-Golive-Timestamp and X-Golive-Signature are both required');
  });

  it('a timestamp more than 5 minutes old, or ahead: 401', async () => {
    const old = await hook(h, '/hooks/switch', good, { skewMs: -6 * MINUTE });
    expect(old.status).toBe(401);
    expect(old.json.error).toContain('more than 5 minutes');
    const ahead = await hook(h, '/hooks/switch', good, { skewMs: 6 * MINUTE });
    expect(ahead.status).toBe(401);
    expect(ahead.json.error).toContain('more than 5 minutes');
  });

  it('a body that is not JSON: 400', async () => {
    const sent = await hook(h, '/hooks/switch', '{"release": ');
    expect(sent.status).toBe(400);
    expect(sent.json.error).toBe('body: is not JSON.');
  });

  it('a bad field: 400 naming the field and the reason', async () => {
    const state = await hook(h, '/hooks/switch', { ...good, state: 'maybe' });
    expect(state.status).toBe(400);
    expect(state.json.error).toBe('state: must be "on" or "off".');
    const count = await hook(h, '/hooks/facts', { release: R, defects: { sev1: -1 } });
    expect(count.status).toBe(400);
    expect(count.json.error).toBe('defects.sev1: must be a whole number of 0 or more.');
    const phase = await hook(h, '/hooks/facts', { release: R, phases: [{ name: 'SIT', closed: 'yes' }] });
    expect(phase.json.error).toBe('phases.0.closed: must be true or false.');
    const empty = await hook(h, '/hooks/facts', { release: R });
    expect(empty.status).toBe(400);
    expect(empty.json.error).toContain('must report at least one of');
    const extra = await hook(h, '/hooks/switch', { ...good, admin: true });
    expect(extra.status).toBe(400);
    expect(extra.json.error).toContain('admin');
    const noSource = await hook(h, '/hooks/switch', { release: R, key: 'SECMP0062', state: 'on' });
    expect(noSource.status).toBe(400);
    expect(noSource.json.error).toMatch(/^source: /);
  });

  it('an unknown release: 404; an unknown switch: 400 saying which are guarded', async () => {
    const release = await hook(h, '/hooks/switch', { ...good, release: 'no-such-release' });
    expect(release.status).toBe(404);
    expect(release.json.error).toContain('no release "no-such-release"');
    const key = await hook(h, '/hooks/switch', { ...good, key: 'SECMP9999' });
    expect(key.status).toBe(400);
    expect(key.json.error).toContain('No guarded switch "SECMP9999"');
  });

  it('a method other than POST: 405', async () => {
    const sent = await post(h, '/hooks/switch', '', {}, 'GET');
    expect(sent.status).toBe(405);
    expect((await post(h, '/hooks/facts', '', {}, 'PUT')).status).toBe(405);
  });

  it('a body over 64 KiB: 413', async () => {
    const big = JSON.stringify({ ...good, source: 'x'.repeat(70 * 1024) });
    const sent = await hook(h, '/hooks/switch', big);
    expect(sent.status).toBe(413);
  });
});

describe('a quarantined release', () => {
  it('is refused with 409 and the reason; its file is not touched', async () => {
    const first = await SlackHarness.open(START, undefined, {}, { hookSecret: HOOK_SECRET });
    await setUp(first);
    await first.close(false);
    const file = join(first.dir, 'releases', `${R}.state.json`);
    const tampered = JSON.parse(await readFile(file, 'utf8')) as { release: { name: string } };
    tampered.release.name = 'Tampered';
    await writeFile(file, JSON.stringify(tampered, null, 2));
    const bytes = await readFile(file, 'utf8');

    const h = await SlackHarness.open('2019-11-19T12:00:00Z', first.dir, {}, { hookSecret: HOOK_SECRET });
    try {
      expect(await h.store.quarantine(R)).toBeDefined();
      const sent = await hook(h, '/hooks/switch', { release: R, key: 'SECMP0062', state: 'on', source: 'flag service' });
      expect(sent.status).toBe(409);
      expect(sent.json.error).toContain('fails verification');
      expect(await readFile(file, 'utf8')).toBe(bytes);
      expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

describe('without GOLIVE_HOOK_SECRET', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.open(START);
    await setUp(h);
  });
  afterAll(() => h.close());

  it('the hooks are off: 404, and nothing changes', async () => {
    const before = structuredClone(await h.doc(R));
    const sent = await hook(h, '/hooks/switch', { release: R, key: 'SECMP0062', state: 'on', source: 'flag service' });
    expect(sent.status).toBe(404);
    expect(await h.doc(R)).toEqual(before);
  });
});
