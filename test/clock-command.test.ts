import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runConsole } from '../adapters/console/console-chat.js';
import { rehearsalClock } from '../src/app/clock.js';
import { Scheduler } from '../src/app/delivery/scheduler.js';
import { Harness } from './support/golive.js';
import { npmStart } from './support/npm-start.js';
import { fileBytes, readDoc, type RawDoc } from './support/tamper.js';

// `/clock <when>` moves a rehearsal on to the next day that matters; never back, and only in a rehearsal.

const CREATE = '/release create "Nov" 2019-11-29 --id nov\n';
const USAGE = 'Usage: /clock <YYYY-MM-DDTHH:MM> (UTC unless an offset such as +01:00 follows), for example /clock 2019-11-08T10:00';

const entryTimes = async (dir: string): Promise<string[]> => (await readDoc(dir, 'nov')).audit.map((entry: RawDoc) => entry.at);

describe('/clock in the console', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('moves the clock forward: what is recorded next carries the new date', async () => {
    h = await Harness.open('2019-11-04T09:00:00Z');
    const { output, status } = await h.run(`${CREATE}/clock 2019-11-05T10:00\n/release role DCC dan\n/clock 2019-11-06T12:00+01:00\n/release role SECAS sam\n`);
    expect(status).toBe(0);
    expect(output).toContain('Clock moved to 2019-11-05T10:00:00.000Z.');
    expect(output).toContain('Clock moved to 2019-11-06T11:00:00.000Z.');
    const [created, dcc, secas] = await entryTimes(h.dir);
    expect(created).toMatch(/^2019-11-04T09:00:0\d\.000Z$/);
    expect(dcc).toMatch(/^2019-11-05T10:00:0\d\.000Z$/);
    expect(secas).toMatch(/^2019-11-06T11:00:0\d\.000Z$/);
  });

  it('refuses to go back in time, says where the clock is, and records nothing', async () => {
    h = await Harness.open('2019-11-04T09:00:00Z');
    await h.run(`${CREATE}/clock 2019-11-08T10:00\n/release role DCC dan\n`);
    const bytes = await fileBytes(h.dir, 'nov');
    const back = await h.run('/clock 2019-11-07T11:00\n');
    expect(back.status).toBe(1);
    expect(back.output).toMatch(/Not done: the clock only moves forward: it reads 2019-11-08T10:00:0\d\.000Z\./);
    expect(back.output).not.toContain('Clock moved');
    expect(await fileBytes(h.dir, 'nov')).toEqual(bytes);
    // The clock stayed where it was: the next change is dated 8 Nov, not 7 Nov.
    await h.run('/release role SECAS sam\n');
    expect((await entryTimes(h.dir)).at(-1)).toMatch(/^2019-11-08T10:00:0\d\.000Z$/);
  });

  it.each([
    ['no time', '/clock', USAGE],
    ['a word', '/clock tomorrow', USAGE],
    ['a date without a time', '/clock 2019-11-08', USAGE],
    ['two arguments', '/clock 2019-11-08T10:00 2019-11-09T10:00', USAGE],
    ['an hour that does not exist', '/clock 2019-11-08T25:00', USAGE],
    ['a day not on the calendar', '/clock 2019-11-31T10:00', 'Not done: 2019-11-31 is not a real calendar date.'],
  ])('refuses %s with a clear line and leaves the clock alone', async (_what, line, said) => {
    h = await Harness.open('2019-11-04T09:00:00Z');
    await h.run(CREATE);
    const { output, status } = await h.run(`${line}\n/release role DCC dan\n`);
    expect(status).toBe(1);
    expect(output).toContain(said);
    expect(output).not.toContain('Clock moved');
    expect((await entryTimes(h.dir)).at(-1)).toMatch(/^2019-11-04T09:00:\d\d\.000Z$/);
  });

  it('is refused when the console has no rehearsal clock, and nothing moves', async () => {
    h = await Harness.open('2019-11-04T09:00:00Z');
    await h.run(CREATE);
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    // As golive runs without GOLIVE_CLOCK_START: the console is given no clock to move.
    const status = await runConsole({ app: h.app, input: Readable.from(['/clock 2019-11-08T10:00\n/release role DCC dan\n']), output: sink, interactive: false, user: 'rita' });
    expect(status).toBe(1);
    expect(output).toContain('Not done: /clock works only in a rehearsal: start golive with GOLIVE_CLOCK_START.');
    expect(output).not.toContain('Clock moved');
    expect((await entryTimes(h.dir)).at(-1)).toMatch(/^2019-11-04T09:00:\d\d\.000Z$/);
  });
});

describe('/clock onto a scheduled point', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** The console as main.ts runs it in a rehearsal: the clock to move and golive's schedule. */
  async function consoleWithSchedule(harness: Harness, script: string): Promise<{ output: string; status: number }> {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const scheduler = new Scheduler(harness.store);
    const status = await runConsole({ app: harness.app, input: Readable.from([script]), output: sink, interactive: false, user: 'rita', clock: harness.clock, scheduler });
    return { output, status };
  }

  it('moves to a target a scheduled message falls due at exactly: sent there once, and the clock ends at the target', async () => {
    h = await Harness.open('2019-11-04T09:00:00Z');
    const setUp = await consoleWithSchedule(h, `${CREATE}/release role DCC dan\n`);
    expect(setUp.status, setUp.output).toBe(0);
    // remind-t15 (T-15 at 09:00) falls due at 8 Nov 2019 09:00 GMT, exactly the target. Sending it
    // takes time on the clock (each reading moves it on), so the clock is past the target once it
    // has run: the move to the target must not then count as going back.
    const { output, status } = await consoleWithSchedule(h, '/clock 2019-11-08T09:00\n/release role SECAS sam\n');
    expect(output).not.toContain('only moves forward');
    expect(status, output).toBe(0);
    expect(output).toContain('Clock moved to 2019-11-08T09:00:00.000Z.');
    // Dan is reminded once, at the target, on time.
    expect(output.match(/\[DM @dan\] Reminder: Nov/g)).toHaveLength(1);
    const reminders = (await h.store.outbox('nov')).filter((message) => message.kind === 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ id: 'sched:nov:remind-t15:2019-11-08T09:00:00.000Z:console:dan', status: 'sent', dueAt: '2019-11-08T09:00:00.000Z', sentAt: '2019-11-08T09:00:00.000Z' });
    expect(reminders[0]).not.toHaveProperty('late');
    // The clock ended at the target: the next change is dated there, not earlier and not a day on.
    expect((await entryTimes(h.dir)).at(-1)).toMatch(/^2019-11-08T09:00:\d\d\.000Z$/);
  });
});

describe('the rehearsal clock', () => {
  it('runs on at real speed from where it was moved, and never moves back', () => {
    let real = Date.parse('2026-01-01T00:00:00Z');
    const clock = rehearsalClock(new Date('2019-11-04T09:00:00Z'), { now: () => new Date(real) });
    real += 5_000;
    expect(clock.now().toISOString()).toBe('2019-11-04T09:00:05.000Z');
    clock.moveTo(new Date('2019-11-05T10:00:00Z'));
    expect(clock.now().toISOString()).toBe('2019-11-05T10:00:00.000Z');
    real += 2_000;
    expect(() => clock.moveTo(new Date('2019-11-05T10:00:01Z'))).toThrow('the clock only moves forward: it reads 2019-11-05T10:00:02.000Z');
    expect(clock.now().toISOString()).toBe('2019-11-05T10:00:02.000Z');
  });
});

describe('/clock through npm start', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('moves a GOLIVE_CLOCK_START rehearsal forward and refuses to move it back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-clock-'));
    const { status, stdout } = await npmStart(`${CREATE}/clock 2019-11-05T10:00\n/release role DCC dan\n/clock 2019-11-04T12:00\n/release role SECAS sam\n`, {
      GOLIVE_DATA_DIR: dir,
      GOLIVE_CLOCK_START: '2019-11-04T09:00:00Z',
    });
    expect(status).toBe(1);
    expect(stdout).toContain('Clock moved to 2019-11-05T10:00:00.000Z.');
    expect(stdout).toMatch(/Not done: the clock only moves forward: it reads 2019-11-05T10:00:\d\d\.\d{3}Z\./);
    // npm start also runs the schedule, whose own entries (actor golive) come between these.
    const [created, dcc, secas] = (await readDoc(dir, 'nov')).audit.filter((entry: RawDoc) => entry.actor.platform !== 'golive').map((entry: RawDoc) => entry.at);
    expect(created).toMatch(/^2019-11-04T09:00:\d\d\.\d{3}Z$/);
    expect(dcc).toMatch(/^2019-11-05T10:00:\d\d\.\d{3}Z$/);
    expect(secas).toMatch(/^2019-11-05T10:00:\d\d\.\d{3}Z$/);
  }, 60_000);

  it('refuses /clock without GOLIVE_CLOCK_START, and runs the other lines', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-clock-'));
    const { status, stdout } = await npmStart('/clock 2019-11-05T10:00\n/release list\n', { GOLIVE_DATA_DIR: dir });
    expect(status).toBe(1);
    expect(stdout).toContain('Not done: /clock works only in a rehearsal: start golive with GOLIVE_CLOCK_START.');
    expect(stdout).not.toContain('Clock moved');
    expect(stdout).toContain('No releases yet.');
  }, 60_000);
});
