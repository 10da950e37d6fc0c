import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import type { ChatPort } from '../src/app/delivery/chat-port.js';
import type { Person } from '../src/app/delivery/outbox-message.js';
import { digestTick } from '../src/app/delivery/digest.js';
import type { PeoplePort } from '../src/app/people-port.js';
import type { Store } from '../src/app/store-port.js';
import type { View } from '../src/views/elements.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { openPeopleFile, PEOPLE_FILE } from '../store/people-file.js';
import { runConsole } from '../adapters/console/console-chat.js';
import { renderText } from '../adapters/console/render-text.js';
import { TestClock } from './support/test-clock.js';
import { turnsDuring } from './support/turns-during.js';
import { recordOf } from './support/store-records.js';

// The daily digest: one direct message per person per working day at 09:00 in the zone of their
// soonest release, listing everything that waits for them, and `notify off|on`.

// Two releases in two channels; dan is DCC in both, so his list spans them. olivia and oscar form
// a group of quorum 2 in `a` only. 20 Dec 2019 is a Friday; 25 and 26 Dec are bank holidays in
// sec-release's calendar. London is on GMT, so 09:00 there is 09:00Z.
const SETUP = `
/channel a
/release create "Alpha" 2019-12-30 --template sec-release --id a
/release role DCC dan
/release group opsg members olivia oscar --quorum 2
/as olivia
/release signoff opsg agree
/as rita
/channel b
/release create "Beta" 2019-12-31 --template sec-release --id b
/release role DCC dan
`;

interface Sent {
  to: Person;
  key: string;
  text: string;
}

class RecordingPort implements ChatPort {
  sent: Sent[] = [];
  failures = 0;
  async post(): Promise<{ ref: string }> {
    throw new Error('a digest is never posted to a channel');
  }
  async update(): Promise<void> {}
  async dm(person: Person, view: View, key: string): Promise<{ ref: string }> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('platform down');
    }
    this.sent.push({ to: person, key, text: renderText(view) });
    return { ref: `dm-${this.sent.length}` };
  }
  /** What went to the console person `name`. */
  to(name: string): Sent[] {
    return this.sent.filter((s) => s.to.id === `console:${name}`);
  }
}

describe('the daily digest', () => {
  let dir: string;
  let store: Store;
  let people: PeoplePort;
  let clock: TestClock;
  let app: GoliveApp;
  let port: RecordingPort;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-digest-'));
    store = await openLowdbStore(dir);
    people = await openPeopleFile(dir);
    clock = new TestClock('2019-12-20T07:00:00Z');
    app = new GoliveApp({ store, clock, directory: noGroups, people });
    port = new RecordingPort();
    expect((await run(SETUP, 'rita')).status).toBe(0);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(script: string, user: string): Promise<{ output: string; status: number }> {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const status = await runConsole({ app, input: Readable.from([script]), output: sink, interactive: false, user, workingDir: join(dir, 'work') });
    return { output, status };
  }

  const tick = (iso: string, p: PeoplePort = people) => digestTick({ store, people: p, ports: { console: port } }, new Date(iso));

  it('sends one message at 09:00 on a working day listing the items of both releases, once that day', async () => {
    expect(await tick('2019-12-20T08:59:00Z')).toBe(0);
    expect(port.sent).toEqual([]);

    await tick('2019-12-20T09:00:00Z');
    const dan = port.to('dan');
    expect(dan).toHaveLength(1);
    expect(dan[0]!.to).toEqual({ platform: 'console', id: 'console:dan' });
    expect(dan[0]!.key).toBe('digest:console:dan:2019-12-20');
    expect(dan[0]!.text).toContain('Alpha: PENDING');
    expect(dan[0]!.text).toContain('Beta: PENDING');
    expect(dan[0]!.text).toContain('. code-ready ');
    expect(dan[0]!.text).toContain('/release notify off');
    // oscar has not signed for the group; olivia has, so nothing waits for her.
    expect(port.to('oscar')).toHaveLength(1);
    expect(port.to('olivia')).toHaveLength(0);

    await tick('2019-12-20T09:00:00Z');
    await tick('2019-12-20T16:30:00Z');
    expect(port.to('dan')).toHaveLength(1);

    // A restart: a new reader of the same folder knows the day is done.
    const reopened = await openPeopleFile(dir);
    await tick('2019-12-20T17:00:00Z', reopened);
    expect(port.to('dan')).toHaveLength(1);
    const onDisk = JSON.parse(await readFile(join(dir, PEOPLE_FILE), 'utf8'));
    expect(onDisk.people).toContainEqual(['console:dan', { notify: true, digest: { day: '2019-12-20', state: 'sent', tries: 1 } }]);
  });

  it('skips weekends and the bank holidays of the release calendar', async () => {
    await tick('2019-12-20T09:00:00Z');
    for (const day of ['2019-12-21', '2019-12-22', '2019-12-25', '2019-12-26']) await tick(`${day}T10:00:00Z`);
    expect(port.to('dan').map((s) => s.key)).toEqual(['digest:console:dan:2019-12-20']);
    await tick('2019-12-23T09:05:00Z');
    await tick('2019-12-27T09:05:00Z');
    expect(port.to('dan').map((s) => s.key)).toEqual(['digest:console:dan:2019-12-20', 'digest:console:dan:2019-12-23', 'digest:console:dan:2019-12-27']);
  });

  it('sends nothing while notify is off, and again once it is on', async () => {
    const off = await run('/release notify off', 'dan');
    expect(off.output).toContain('Changed from on to off: daily messages are off');
    expect((await run('/release notify', 'dan')).output).toContain('daily messages are off');
    await tick('2019-12-20T09:00:00Z');
    expect(port.to('dan')).toHaveLength(0);
    expect(port.to('oscar')).toHaveLength(1);

    expect((await run('/release notify off', 'dan')).output).toContain('Unchanged: daily messages are off');
    expect((await run('/release notify on', 'dan')).output).toContain('Changed from off to on: daily messages are on');
    await tick('2019-12-20T09:30:00Z');
    expect(port.to('dan')).toHaveLength(1);
    // The setting is dan's alone: it went into no release's audit trail.
    const record = JSON.stringify(await recordOf(store, 'a'));
    expect(record).toContain('"audit":[{');
    expect(record).not.toContain('notify');
  });

  it('tries a failed or interrupted send once more, never more', async () => {
    port.failures = 1;
    await tick('2019-12-20T09:00:00Z');
    expect(port.to('dan')).toHaveLength(0);
    await tick('2019-12-20T09:01:00Z');
    expect(port.to('dan')).toHaveLength(1);

    // Monday: every try fails; the day is given up after two, and Tuesday's digest comes as usual.
    port.failures = 100;
    for (const minute of ['00', '01', '02', '03']) await tick(`2019-12-23T09:${minute}:00Z`);
    // Two people (dan and oscar), two tries each.
    expect(port.failures).toBe(100 - 2 * 2);
    port.failures = 0;
    await tick('2019-12-23T10:00:00Z');
    expect(port.to('dan')).toHaveLength(1);
    await tick('2019-12-24T09:00:00Z');
    expect(port.to('dan')).toHaveLength(2);

    // A crash after "sending" was written: the next start sends it once more, then never again.
    const file = join(dir, PEOPLE_FILE);
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.people = doc.people.map(([key, prefs]: [string, object]) => [key, key === 'console:dan' ? { notify: true, digest: { day: '2019-12-27', state: 'sending', tries: 1 } } : prefs]);
    await writeFile(file, JSON.stringify(doc));
    const restarted = await openPeopleFile(dir);
    await tick('2019-12-27T09:30:00Z', restarted);
    await tick('2019-12-27T09:31:00Z', restarted);
    expect(
      port
        .to('dan')
        .map((s) => s.key)
        .at(-1),
    ).toBe('digest:console:dan:2019-12-27');
    expect(port.to('dan')).toHaveLength(3);
  });

  it("sends each person's digest on their own platform, whatever the release's channels", async () => {
    // Releases linked to console channels, with an owner named as a Slack person.
    await run('/release role SECAS @slack:USAM --release a', 'rita');
    const slack = new RecordingPort();
    await tick('2019-12-20T09:00:00Z');
    expect(port.sent.map((s) => s.to.id)).not.toContain('slack:USAM');
    await digestTick({ store, people, ports: { console: port, slack } }, new Date('2019-12-20T09:05:00Z'));
    expect(slack.sent.map((s) => [s.to, s.key])).toEqual([[{ platform: 'slack', id: 'slack:USAM' }, 'digest:slack:USAM:2019-12-20']]);
    expect(slack.sent[0]!.text).toContain('. secas-ready ');
    expect(port.to('dan')).toHaveLength(1);
  });

  it('sends nothing to someone with nothing due, nor for a closed release', async () => {
    await run('/release close cancelled --release a', 'rita');
    await run('/release close cancelled --release b', 'rita');
    await tick('2019-12-20T09:00:00Z');
    expect(port.sent).toEqual([]);
  });

  it('the console sends the digests due after each command', async () => {
    clock.set('2019-12-20T09:10:00Z');
    const { output } = await run('/release todo', 'rita');
    const dan = output.split('[DM @').find((part) => part.startsWith('dan] Waiting for you'));
    expect(dan).toContain('Alpha: PENDING');
    expect(dan).toContain('Beta: PENDING');
    expect(output.match(/\[DM @dan\]/g)).toHaveLength(1);
    expect((await run('/release todo', 'rita')).output).not.toContain('[DM @dan]');
  });

  it('a pass over many releases lets requests in between them, and still lists them all', async () => {
    const count = 60;
    const more = Array.from({ length: count }, (_, i) => `/channel m${i}\n/release create "More ${i}" 2020-01-15 --template sec-release --id m${i}\n/release role DCC dan`);
    expect((await run(more.join('\n'), 'rita')).status).toBe(0);
    await tick('2019-12-20T09:00:00Z');
    const dan = port.to('dan');
    expect(dan).toHaveLength(1);
    expect(dan[0]!.text).toContain('More 0: PENDING');
    expect(dan[0]!.text).toContain(`More ${count - 1}: PENDING`);
    // A later pass the same day sends nothing and writes nothing, yet looks at every release again,
    // and lets requests in meanwhile.
    const { result: sent, turns } = await turnsDuring(() => tick('2019-12-20T09:30:00Z'));
    expect(sent).toBe(0);
    expect(turns).toBeGreaterThanOrEqual(count / 25 - 1);
    expect(port.to('dan')).toHaveLength(1);
  });

  it('refuses a corrupt people file at start, naming it, and leaves it as it was', async () => {
    const file = join(dir, PEOPLE_FILE);
    await writeFile(file, '{"version":1,"people":[["console:dan",{"notify":"yes"}]]}');
    await expect(openPeopleFile(dir)).rejects.toThrow(`${file}: is not a valid people file`);
    await writeFile(file, '{"version":1,"people":[["__proto__",{"notify":false}]]}');
    await expect(openPeopleFile(dir)).rejects.toThrow(file);
    await writeFile(file, 'not json');
    await expect(openPeopleFile(dir)).rejects.toThrow(`${file}: is not valid JSON`);
    expect(await readFile(file, 'utf8')).toBe('not json');
  });
});

describe('start-up', () => {
  it('a corrupt people.json stops `npm start`, naming the file, and leaves it as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'golive-digest-cli-'));
    try {
      const corrupt = '{"version":1,"people":[["console:dan",{"notify":"yes"}]]}';
      await writeFile(join(dir, PEOPLE_FILE), corrupt);
      const root = new URL('..', import.meta.url).pathname;
      const child = spawn('npm', ['--prefix', root, 'start', '--silent'], { cwd: dir, env: { ...process.env, GOLIVE_DATA_DIR: dir }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.stdin.end('/release list\n');
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(status).toBe(2);
      expect(stderr).toContain(`golive cannot start. ${join(dir, PEOPLE_FILE)}: is not a valid people file`);
      expect(await readFile(join(dir, PEOPLE_FILE), 'utf8')).toBe(corrupt);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
