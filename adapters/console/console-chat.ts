import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { GoliveApp } from '../../src/app/app.js';
import type { Reply } from '../../src/app/request.js';
import type { Channel } from '../../src/domain/release.js';
import { qualify } from '../../src/domain/person-id.js';
import { OutboxWorker } from '../../src/app/delivery/outbox.js';
import type { Scheduler } from '../../src/app/delivery/scheduler.js';
import { consolePort } from './console-port.js';
import { readClockMove, stepClock } from './clock-command.js';
import type { MovableClock } from '../../src/app/clock.js';
import { digestRunner } from '../../src/app/delivery/digest.js';
import { ReportFileError, writeReportFile } from './report-file.js';
import { clean, isOneLine, renderText } from './render-text.js';

export interface ConsoleOptions {
  app: GoliveApp;
  input: Readable;
  output: Writable;
  /** A terminal gets a prompt and keeps going; piped input runs in order and then ends. */
  interactive: boolean;
  user: string;
  channel?: string;
  /** Where `report` and `audit export` write their files: reports/ under it. The process's working directory unless given. */
  workingDir?: string;
  /** A rehearsal's clock, which `/clock` moves forward; absent, `/clock` is refused. */
  clock?: MovableClock;
  /**
   * golive's schedule, run once at start and after each command (so a console session in real
   * time also speaks first: the kickoff after `create`, a reminder that fell due meanwhile).
   */
  scheduler?: Pick<Scheduler, 'tick' | 'dueBefore'>;
}

/**
 * A console name: the console's own people, so no `:` (`/as slack:U1` would only make a console
 * person with a confusing name; people elsewhere act on their own platform).
 */
const CONSOLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

const HINT = 'Type /release help, /as <user> to act as someone else, /channel <name> to move, /clock <when> to move a rehearsal on, /quit to leave.';

/** Runs the console chat; resolves with the exit status (1 when a piped line failed to parse). */
export async function runConsole(options: ConsoleOptions): Promise<number> {
  const { app, output } = options;
  const say = (text: string) => void output.write(`${text}\n`);
  let user = options.user;
  let channel: Channel = { platform: 'console', id: options.channel ?? 'general' };
  let failed = false;
  const port = consolePort(say);
  const outbox = new OutboxWorker(app.deps.store, { console: port }, app.deps.clock);
  // The daily digests that fell due are sent after each command: the console has no timer.
  const digest = app.deps.people && digestRunner({ store: app.deps.store, people: app.deps.people, ports: { console: port }, ...(app.deps.log && { log: app.deps.log }) });
  const reportsDir = join(options.workingDir ?? process.env.INIT_CWD ?? process.cwd(), 'reports');
  const prompt = () => (options.interactive ? output.write(`${user} in #${channel.id}> `) : true);

  if (options.interactive) say(`golive console: you are @${user} in #${channel.id}. ${HINT}`);
  const tick = async () => {
    if (!options.scheduler) return;
    await options.scheduler.tick(app.deps.clock.now());
    await outbox.kick();
  };
  await tick();
  prompt();
  const lines = createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      prompt();
      continue;
    }
    if (!options.interactive) say(`${user} in #${channel.id}> ${clean(line)}`);
    const [word, ...rest] = line.split(/\s+/);
    if (word === '/quit' || word === '/exit') break;
    if (word === '/as' || word === '/channel') {
      const value = (rest[0] ?? '').replace(/^[@#]/, '');
      const ok = word === '/as' ? CONSOLE_NAME.test(value) : /^[a-z0-9][a-z0-9_-]{0,79}$/i.test(value);
      if (!ok || rest.length !== 1) {
        say(`Usage: ${word} <${word === '/as' ? 'user' : 'channel'}>`);
        failed = true;
      } else if (word === '/as') user = value;
      else channel = { platform: 'console', id: value };
      prompt();
      continue;
    }
    if (word === '/clock') {
      const moved = readClockMove(options.clock, rest.length === 1 ? rest[0] : undefined);
      say(moved.line);
      if (!moved.ok) failed = true;
      else {
        // Everything the schedule and the digests have due on the way happens at its own time.
        const scheduler = options.scheduler;
        await stepClock(options.clock!, moved.at, {
          dueBefore: async (target) => scheduler?.dueBefore(target),
          run: async (at) => {
            await scheduler?.tick(at);
            await outbox.kick();
            await digest?.(at);
          },
        });
      }
      prompt();
      continue;
    }
    if (word !== '/release') {
      say(`Commands start with /release. ${HINT}`);
      failed = true;
      prompt();
      continue;
    }
    try {
      const result = await app.handle({ actor: { id: qualify('console', user), platform: 'console' }, channel, text: line });
      if (!result.parsed) failed = true;
      for (const reply of result.replies) {
        if (reply.kind === 'view') say(renderReply(reply));
        else if (reply.kind === 'file') {
          const saved = await saveFile(reportsDir, reply);
          say(saved.line);
          if (!saved.ok) failed = true;
        }
      }
      await outbox.kick();
      await digest?.(app.deps.clock.now());
      await tick();
    } catch (error) {
      // A bug must not take the operator's session down with it; the store is untouched by a failed write.
      say(`Something went wrong and nothing was changed: ${clean(error instanceof Error ? error.message : String(error))}`);
      failed = true;
    }
    prompt();
  }
  return failed ? 1 : 0;
}

/** The file written under reports/, said in one line; a file that cannot be written is said too. */
async function saveFile(dir: string, reply: Extract<Reply, { kind: 'file' }>): Promise<{ ok: boolean; line: string }> {
  try {
    const path = await writeReportFile(dir, reply.filename, reply.content);
    return { ok: true, line: `${clean(reply.title)}: written to ${clean(path)}\n` };
  } catch (error) {
    if (!(error instanceof ReportFileError)) throw error;
    return { ok: false, line: `Not done: ${clean(error.message)}\n` };
  }
}

function renderReply(reply: Extract<Reply, { kind: 'view' }>): string {
  const who = reply.visibility === 'private' ? '(only you can see this)\n' : '';
  // A change answers with one line; the marker goes after it so it stays one line.
  if (isOneLine(reply.view)) return `${renderText(reply.view)}${reply.visibility === 'private' ? '  (only you can see this)' : ''}`;
  return `${who}${renderText(reply.view)}\n`;
}
