import { performance } from 'node:perf_hooks';
import { freePort } from '../test/support/golive-process.js';
import { BOT_TOKEN, SIGNING_SECRET } from './compiled-golive.js';
import { percentile } from './percentiles.js';
import { peakRss } from './process-tree.js';
import { round, type Figure } from './results.js';
import { START_RUNS } from './settings.js';
import { spawnServer } from './spawned.js';
import { START_NODE_OPTIONS } from './start-command.js';

const USER = 'bench';

/**
 * `npm start` as people run it (node with its options, scripts/start.mjs, the compiled code, build checked first):
 * process start until the console prompt (in a terminal, which `script` provides, since a prompt is
 * only shown to one) and, with Slack configured, until GET /healthz answers 200. Median of START_RUNS,
 * with the peak resident memory of the whole process tree meanwhile. `store` is the environment
 * that names the store: GOLIVE_DATA_DIR, and DATABASE_URL for PostgreSQL.
 */
export async function benchStartUp(label: string, store: Record<string, string>, slackApiUrl: string): Promise<Figure[]> {
  const prompt: number[] = [];
  const healthz: number[] = [];
  let promptRss = 0;
  let healthzRss = 0;
  for (let run = 0; run < START_RUNS; run++) {
    const terminal = spawnServer(
      [],
      {},
      { command: 'script', args: ['-qfec', [process.execPath, ...START_NODE_OPTIONS, 'scripts/start.mjs'].join(' '), '/dev/null'], env: { ...store, GOLIVE_CONSOLE_USER: USER } },
    );
    const sampler = peakRss(terminal.child.pid!, 5);
    prompt.push((await terminal.printed(`${USER} in #general> `)) - terminal.startedAt);
    // Quit as a person would, so the data folder's lock is let go before the next start.
    terminal.child.stdin!.write('/quit\n');
    await Promise.race([terminal.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await terminal.stop();
    promptRss = Math.max(promptRss, await sampler.stop());

    const port = await freePort();
    const served = spawnServer([...START_NODE_OPTIONS, 'scripts/start.mjs'], {
      ...store,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: slackApiUrl,
      PORT: String(port),
    });
    const servedRss = peakRss(served.child.pid!, 5);
    healthz.push((await answered(`http://127.0.0.1:${port}/healthz`, served.output)) - served.startedAt);
    await served.stop();
    healthzRss = Math.max(healthzRss, await servedRss.stop());
  }
  return [
    { store: label, until: 'console prompt', medianMs: round(percentile(prompt, 0.5), 0), maxMs: round(Math.max(...prompt), 0), peakRssMiB: round(promptRss, 1) },
    { store: label, until: 'GET /healthz 200', medianMs: round(percentile(healthz, 0.5), 0), maxMs: round(Math.max(...healthz), 0), peakRssMiB: round(healthzRss, 1) },
  ];
}

/** performance.now() at the first 200 from `url`, asking every few milliseconds. */
async function answered(url: string, output: () => string): Promise<number> {
  const giveUp = performance.now() + 60_000;
  while (performance.now() < giveUp) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now();
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} did not answer 200 within a minute; golive printed:\n${output()}`);
}
