import { readFileSync } from 'node:fs';

// What `npm start` runs, read from package.json so the benchmarks start golive exactly as people
// do: its node options (a smaller young generation, which holds peak memory down) included.

const root = new URL('..', import.meta.url).pathname;
const script = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
const words = script.split(/\s+/).filter(Boolean);
if (words[0] !== 'node' || words[words.length - 1] !== 'scripts/start.mjs') throw new Error(`package.json's start script is not "node [options] scripts/start.mjs": ${script}`);

/** The node options of `npm start` (for instance `--max-semi-space-size=4`). */
export const START_NODE_OPTIONS: readonly string[] = words.slice(1, -1);
