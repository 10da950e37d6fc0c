import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ReleaseDocument } from '../store/release-document.js';
import type { Store } from '../src/app/store-port.js';
import { openInboxFile } from '../store/inbox-file.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { availableStores, documentOf, type BenchStore } from './bench-stores.js';
import type { Poll } from './healthz-poller.js';
import { after, withHistory } from './long-history.js';
import { ms, percentile, spread } from './percentiles.js';
import { serveSlack, type SlackGolive } from './slack-golive.js';
import { judge, report, round } from './results.js';
import { BURST_WRITES } from './settings.js';
import { settle } from './settle.js';

const ID = 'bench';
const ENTRIES = 10_000;
const WRITES = BURST_WRITES;
const POLL_EVERY_MS = 5;
const IDLE_MS = 1_000;
/** The issue's bar for /healthz while writes run. */
const WANTED_P99_MS = 50;
const RITA = 'URITA';
const DAN = 'UDAN';

/**
 * Whether golive stays responsive while it writes: golive's real HTTP server with the Slack
 * adapter, on a store holding one release of 10,000 audit entries, takes a burst of confirms as
 * signed slash commands while another process polls GET /healthz every few milliseconds. A write
 * that blocks the event loop shows up as /healthz waiting.
 */
export async function benchHealthzUnderWrites(): Promise<void> {
  const template = await slackRecord();
  for (const target of await availableStores('healthz under writes')) {
    console.log(
      `healthz under writes (${target.name}): GET /healthz every ${POLL_EVERY_MS} ms from another process, while ${WRITES} confirms arrive as Slack slash commands on a release of ${ENTRIES.toLocaleString('en-US')} entries`,
    );
    await measure(target, withHistory(template, ENTRIES));
  }
}

async function measure(target: BenchStore, doc: ReleaseDocument): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-bench-healthz-'));
  try {
    try {
      await target.seed(dir, [doc]);
      await measureSeeded(target, dir, doc);
    } finally {
      await target.drop?.(dir);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureSeeded(target: BenchStore, dir: string, doc: ReleaseDocument): Promise<void> {
  const store = await target.open(dir);
  const inbox = await target.openInbox(dir);
  let now = after(doc);
  const golive = await serveSlack(store, inbox, { now: () => new Date((now += 1000)) });
  const poller = startPoller(golive.url);
  try {
    await once(poller, 'message');
    await settle();
    const idleFrom = Date.now();
    await sleep(IDLE_MS);
    const idleTo = Date.now();
    // golive's own side of the same window: how long its event loop kept a ready callback waiting,
    // and how busy it was. A /healthz p99 far above golive's loop delay is time the processes
    // waited for a CPU (the machine's load), not work golive did in the way.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const busyBefore = performance.eventLoopUtilization();
    const cpuBefore = process.cpuUsage();
    const burstFrom = Date.now();
    const acks: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const started = performance.now();
      const status = await golive.command(DAN, `confirm ${(i % 6) + 1} met "answer ${i}" --evidence https://example.org/${i}`);
      acks.push(performance.now() - started);
      if (status !== 200) throw new Error(`healthz-under-writes: Slack request ${i} answered ${status}`);
    }
    await golive.settled();
    const burstTo = Date.now();
    loopDelay.disable();
    const loop = {
      busy: performance.eventLoopUtilization(busyBefore).utilization,
      cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpuBefore)),
      p50ms: loopDelay.percentile(50) / 1e6,
      p99ms: loopDelay.percentile(99) / 1e6,
      maxMs: loopDelay.max / 1e6,
      load: loadavg()[0]!,
    };
    const polls = await stopPoller(poller);
    await expectApplied(store, doc.audit.length + WRITES, golive);
    const idle = answered(polls, idleFrom, idleTo);
    const burst = answered(polls, burstFrom, burstTo);
    const seconds = (burstTo - burstFrom) / 1000;
    console.log(`  idle:  /healthz ${spread(idle.ms)} (${idle.ms.length} polls${idle.failed ? `, ${idle.failed} failed` : ''})`);
    console.log(
      `  burst: /healthz ${spread(burst.ms)} (${burst.ms.length} polls over ${seconds.toFixed(1)} s${burst.failed ? `, ${burst.failed} failed` : ''}; wanted: p99 under ${WANTED_P99_MS} ms)`,
    );
    console.log(`  the ${WRITES} confirms: Slack ack ${spread(acks)}; all handled in ${seconds.toFixed(1)} s (${ms((burstTo - burstFrom) / WRITES)} a confirm)`);
    const inGolive = `golive's event loop busy ${Math.round(loop.busy * 100)}% of the burst, ${ms(loop.cpuMs / WRITES)} CPU a confirm, a ready callback delayed p99 ${ms(loop.p99ms)}; load average ${loop.load.toFixed(1)} on ${availableParallelism()} CPUs`;
    console.log(`  ${inGolive}`);
    const row = (phase: string, polls: { ms: number[]; failed: number }) => ({
      store: target.name,
      phase,
      polls: polls.ms.length,
      failed: polls.failed,
      p50ms: round(percentile(polls.ms, 0.5)),
      p99ms: round(percentile(polls.ms, 0.99)),
      maxMs: round(Math.max(...polls.ms)),
    });
    report(`GET /healthz every ${POLL_EVERY_MS} ms on the ${target.name}, idle and during ${WRITES} confirms as Slack commands (release of ${ENTRIES.toLocaleString('en-US')} entries)`, [
      row('idle', idle),
      row('write burst', burst),
      {
        store: target.name,
        phase: "golive's event loop delay",
        polls: 0,
        failed: 0,
        p50ms: round(loop.p50ms),
        p99ms: round(loop.p99ms),
        maxMs: round(loop.maxMs),
      },
      {
        store: target.name,
        phase: 'the confirms, Slack ack',
        polls: acks.length,
        failed: 0,
        p50ms: round(percentile(acks, 0.5)),
        p99ms: round(percentile(acks, 0.99)),
        maxMs: round(Math.max(...acks)),
      },
    ]);
    judge(
      'GET /healthz p99 during a write burst',
      target.name,
      percentile(burst.ms, 0.99),
      WANTED_P99_MS,
      'ms',
      `${burst.ms.length} polls over ${seconds.toFixed(1)} s${burst.failed ? `, ${burst.failed} failed` : ''}; ${inGolive}`,
    );
  } finally {
    poller.kill();
    await golive.close();
    await inbox.close();
    await store.close();
  }
}

function startPoller(url: string): ChildProcess {
  const script = fileURLToPath(new URL('./healthz-poller.ts', import.meta.url));
  // Its own process, compiled by tsx as `npm run bench` is.
  return fork(script, [url, String(POLL_EVERY_MS)], { execArgv: ['--import', 'tsx'] });
}

async function stopPoller(poller: ChildProcess): Promise<Poll[]> {
  const answer = once(poller, 'message');
  poller.send('stop');
  const [message] = (await answer) as [{ polls: Poll[] }];
  return message.polls;
}

/** The polls sent between `from` and `to`: the answer times of those answered, and how many failed. */
function answered(polls: readonly Poll[], from: number, to: number): { ms: number[]; failed: number } {
  const within = polls.filter((poll) => poll.sentAt >= from && poll.sentAt <= to);
  const times = within.flatMap((poll) => (poll.ms === undefined ? [] : [poll.ms]));
  if (times.length === 0) throw new Error('healthz-under-writes: no /healthz poll was answered in the window');
  return { ms: times, failed: within.length - times.length };
}

/** A burst of refused or failed confirms would measure nothing: every one must have added its entry. */
async function expectApplied(store: Store, entries: number, golive: SlackGolive): Promise<void> {
  const held = (await store.get(ID))?.head?.seq ?? 0;
  if (held < entries) throw new Error(`healthz-under-writes: the release holds ${held} audit entries, expected at least ${entries}. golive logged:\n${golive.logs.join('\n')}`);
}

/** A real record made through the Slack adapter: the release, its DCC, the checklist posted, one answer per criterion. */
async function slackRecord(): Promise<ReleaseDocument> {
  const dir = await mkdtemp(join(tmpdir(), 'golive-bench-record-'));
  try {
    const store = await openLowdbStore(dir);
    const inbox = await openInboxFile(dir);
    let now = Date.parse('2019-11-01T09:00:00Z');
    const golive = await serveSlack(store, inbox, { now: () => new Date((now += 1000)) });
    try {
      const lines: Array<[string, string]> = [
        [RITA, `create "Bench" 2019-11-29 --id ${ID}`],
        [RITA, `role DCC <@${DAN}>`],
        [RITA, 'ask'],
        ...[1, 2, 3, 4, 5, 6].map((c): [string, string] => [DAN, `confirm ${c} met "first answer" --evidence https://example.org/first/${c}`]),
      ];
      for (const [user, text] of lines) {
        const status = await golive.command(user, text);
        await golive.settled();
        if (status !== 200) throw new Error(`healthz-under-writes: "${text}" answered ${status}`);
      }
      const doc = await documentOf(store, ID);
      if (!doc || doc.audit.length < lines.length) throw new Error(`healthz-under-writes: the template release was not made. golive logged:\n${golive.logs.join('\n')}`);
      return doc;
    } finally {
      await golive.close();
      await inbox.close();
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
