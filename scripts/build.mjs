// @ts-check
// golive's build: its TypeScript (src/, adapters/, store/) compiled by tsc into build/, which is
// what `npm start` runs. `npm ci` builds it (the `prepare` script); `npm start` checks it first and
// rebuilds only when a source changed. Plain JavaScript, so checking costs a few milliseconds and
// no compiler: the sources' names, sizes and modification times, hashed, against the hash the last
// build wrote.
//
//   node scripts/build.mjs            builds if the sources changed since the last build
//   node scripts/build.mjs --force    builds whatever the stamp says

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = 'tsconfig.build.json';
/** What tsc compiles (tsconfig.build.json says the same) and the settings it compiles them with. */
const SOURCE_DIRS = ['src', 'adapters', 'store'];
const SETTINGS = ['tsconfig.json', CONFIG];

export const BUILD_DIR = join(ROOT, 'build');
/** The entry point `npm start` runs. */
/** What tsc makes: one module per source file. */
const COMPILED_MAIN = join(BUILD_DIR, 'src', 'main.js');
/**
 * What `npm start` runs: the compiled modules bundled by esbuild into a few files (with the small
 * ES-module packages, INLINED_PACKAGES; the others stay in node_modules), so a start resolves, reads
 * and links a handful of modules instead of three hundred.
 */
const BUNDLE_DIR = join(BUILD_DIR, 'bundle');
export const MAIN = join(BUNDLE_DIR, 'main.js');
/** The fingerprint of the sources the build in BUILD_DIR was made from. */
const STAMP = join(BUILD_DIR, 'sources.sha256');
// Held while building: several starts at once (a test suite, a process manager) build once.
const LOCK = join(BUILD_DIR, 'build.lock');
// A lock whose holder never wrote its pid is taken as abandoned after this long.
const UNWRITTEN_LOCK_MS = 10_000;

export class BuildError extends Error {}

/**
 * Every source file's path, size and modification time, hashed. A file added, removed, renamed or
 * touched changes it; nothing is read but the folders.
 */
export function sourcesFingerprint() {
  const lines = [];
  for (const file of SETTINGS) lines.push(fileLine(file));
  for (const dir of SOURCE_DIRS) {
    const names = /** @type {string[]} */ (readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }));
    for (const name of names.sort()) {
      if (name.endsWith('.ts')) lines.push(fileLine(join(dir, name)));
    }
  }
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** @param {string} file relative to the project */
function fileLine(file) {
  const stat = statSync(join(ROOT, file));
  return `${file.split(sep).join('/')}\t${stat.size}\t${stat.mtimeMs}`;
}

/** Whether build/ holds a complete build of the sources as they are now. */
export function isCurrent(fingerprint = sourcesFingerprint()) {
  if (!existsSync(MAIN)) return false;
  try {
    return readFileSync(STAMP, 'utf8').trim() === fingerprint;
  } catch {
    return false;
  }
}

/**
 * Makes build/ current: nothing to do when it is; otherwise builds once, also when several
 * processes ask at the same time (the others wait for the first). Resolves true when it built.
 * @param {{ force?: boolean, log?: (message: string) => void }} [options]
 */
export async function ensureBuild(options = {}) {
  const log = options.log ?? ((message) => console.error(message));
  if (!options.force && isCurrent()) return false;
  return withLock(log, async () => {
    // Another process may have built while this one waited for the lock.
    const fingerprint = sourcesFingerprint();
    if (!options.force && isCurrent(fingerprint)) return false;
    await compile(log);
    // The fingerprint from before compiling: a source edited during the build makes the next
    // check fail and build again, rather than being taken as built.
    const next = `${STAMP}.next`;
    writeFileSync(next, `${fingerprint}\n`);
    renameSync(next, STAMP);
    return true;
  });
}

/** @param {(message: string) => void} log */
async function compile(log) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    throw new BuildError(
      'golive must be compiled first and TypeScript, which compiles it, is not installed (a dev dependency): run `npm ci` in the project folder, with the dev dependencies; once built, they may be pruned.',
    );
  }
  const started = Date.now();
  log(`golive: compiling the TypeScript sources into build/ (${existsSync(MAIN) ? 'they changed since the last build' : 'none there yet'}) …`);
  // tsc reports on stdout, which is the console chat's: its errors go to stderr with golive's own.
  // Loaded only to build: a start with build/ current does not wait for child_process to load.
  const { spawnSync } = await import('node:child_process');
  const run = spawnSync(process.execPath, [tsc, '-p', join(ROOT, CONFIG)], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (run.error) throw new BuildError(`golive could not be compiled: ${run.error.message}`);
  if (run.status !== 0) throw new BuildError(`golive could not be compiled: TypeScript reported the errors above (\`npx tsc -p ${CONFIG}\` shows them again); build/ was left as it was.`);
  await bundle();
  log(`golive: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Bundles the compiled modules into build/bundle/: main.js, and a file for each part main loads
 * only when it is used (a chat platform, PostgreSQL) and the parts they share. Measured on 2 cores,
 * the console prompt came about 0.1 s sooner than from the two hundred modules of build/src/.
 */
async function bundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new BuildError(
      'golive must be compiled first and esbuild, which bundles it, is not installed (a dev dependency): run `npm ci` in the project folder, with the dev dependencies; once built, they may be pruned.',
    );
  }
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  try {
    await esbuild.build({
      entryPoints: [COMPILED_MAIN],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      plugins: [externalPackagesBut(INLINED_PACKAGES)],
      outdir: BUNDLE_DIR,
      logLevel: 'silent',
    });
  } catch (error) {
    // A bundle half written must not be run: the stamp is not written, so the next start builds again.
    rmSync(BUNDLE_DIR, { recursive: true, force: true });
    throw new BuildError(`golive could not be bundled: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The packages built into the bundle rather than loaded from node_modules at start: plain ES
 * modules of many small files (zod alone is about a hundred, date-fns forty), which Node otherwise
 * resolves, reads and compiles one by one before the prompt. Bundled, the console prompt came about
 * 60 ms sooner on 2 cores. The rest (pg, the chat SDKs: CommonJS, loaded only when used) stay external.
 */
const INLINED_PACKAGES = new Set(['zod', 'date-fns', '@date-fns/tz', 'lowdb', 'steno']);

/**
 * Leaves every package import to node_modules except those in `inlined`.
 * @param {Set<string>} inlined
 * @returns {import('esbuild').Plugin}
 */
function externalPackagesBut(inlined) {
  return {
    name: 'external-packages-but',
    setup(build) {
      // A bare specifier: a package (its name is the first part, or two for a scope) or a Node builtin.
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const parts = args.path.split('/');
        const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        return inlined.has(name ?? '') ? undefined : { external: true };
      });
    },
  };
}

/**
 * @template T
 * @param {(message: string) => void} log
 * @param {() => T | Promise<T>} work
 * @returns {Promise<T>}
 */
async function withLock(log, work) {
  mkdirSync(BUILD_DIR, { recursive: true });
  let told = false;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
    }
    if (abandoned()) {
      rmSync(LOCK, { force: true });
      continue;
    }
    if (!told) log('golive: waiting for another process that is compiling golive …');
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/** The lock's holder has gone without removing it (killed while compiling). */
function abandoned() {
  let text;
  let written;
  try {
    text = readFileSync(LOCK, 'utf8');
    written = statSync(LOCK).mtimeMs;
  } catch {
    return false; // Removed meanwhile: the next try takes it.
  }
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - written > UNWRITTEN_LOCK_MS;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH';
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const built = await ensureBuild({ force: process.argv.includes('--force') });
    if (!built) console.error('golive: build/ is up to date with the sources.');
  } catch (error) {
    console.error(error instanceof BuildError ? error.message : error);
    process.exitCode = 2;
  }
}
