import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmStart } from './support/npm-start.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killGroup, startGolive, type Started } from './support/golive-process.js';

// `npm start` runs golive's compiled JavaScript (build/), compiling it first only when a source
// changed. Proved on a copy of the project, so editing its sources and its build cannot disturb the
// other tests, which run the real project's build.

const root = new URL('..', import.meta.url).pathname;
const PROJECT_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'adapters', 'store', 'templates'];
const EMPTY_LIST = 'No releases yet.';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('npm start on a copy of the project', () => {
  let project: string;
  const temps: string[] = [];
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'golive-compiled-'));
    temps.push(project);
    for (const name of PROJECT_FILES) await cp(join(root, name), join(project, name), { recursive: true });
    await symlink(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');
  });
  afterAll(async () => {
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  });

  /** `npm start` in the copy, as the README has people run it, on a fresh data folder. */
  async function start(input: string): Promise<Run> {
    const data = await mkdtemp(join(tmpdir(), 'golive-compiled-data-'));
    temps.push(data);
    return npmStart(input, { GOLIVE_DATA_DIR: data, GOLIVE_CONSOLE_USER: 'rita' }, project);
  }

  const inProject = (...path: string[]) => join(project, ...path);
  /** The file of build/bundle/ that holds `text` (the bundle's files are named by esbuild). */
  async function bundled(text: string): Promise<string> {
    for (const name of await readdir(inProject('build', 'bundle'))) {
      const file = inProject('build', 'bundle', name);
      if ((await readFile(file, 'utf8')).includes(text)) return file;
    }
    throw new Error(`no file of build/bundle/ holds ${JSON.stringify(text)}`);
  }
  async function replaceIn(file: string, from: string, to: string): Promise<void> {
    const text = await readFile(file, 'utf8');
    expect(text).toContain(from);
    await writeFile(file, text.replace(from, to));
  }

  it('compiles a project that has no build, runs the compiled code, and compiles again only after a source changed', async () => {
    const first = await start('/release list\n/release create "Dec" 2026-12-15 --template software-release\n');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('golive: compiling the TypeScript sources into build/');
    expect(first.stdout).toContain(EMPTY_LIST);
    // The compiled code finds the templates, which stay in the project and are not compiled.
    expect(first.stdout).toContain('Dec (dec) created from template software-release');
    expect(await readdir(inProject('build', 'src'))).toContain('main.js');
    expect(await readdir(inProject('build', 'bundle'))).toContain('main.js');

    // What runs is the compiled and bundled file: a change made to it alone shows, and the build is
    // current, so nothing compiles it over.
    const edited = 'No releases yet (the compiled file).';
    const compiled = await bundled(EMPTY_LIST);
    await replaceIn(compiled, EMPTY_LIST, edited);
    const current = await start('/release list\n');
    expect(current.status, current.stderr).toBe(0);
    expect(current.stdout).toContain(edited);
    expect(current.stderr).not.toContain('compiling');

    // A source that does not compile: golive does not start, says why, and the last build stays.
    await replaceIn(inProject('src', 'views', 'list.ts'), 'export function listView(', "export const broken: number = 'not a number';\nexport function listView(");
    const refused = await start('/release list\n');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('TS2322');
    expect(refused.stderr).toContain('golive cannot start. golive could not be compiled: TypeScript reported the errors above');
    expect(refused.stdout).toBe('');
    expect(await readFile(compiled, 'utf8')).toContain(edited);

    // The build is still stale after the failure: once the source compiles, the next start
    // compiles it and runs the change.
    await replaceIn(inProject('src', 'views', 'list.ts'), "export const broken: number = 'not a number';\n", '');
    await replaceIn(inProject('src', 'views', 'list.ts'), EMPTY_LIST, 'Nothing released yet.');
    const stale = await start('/release list\n');
    expect(stale.status, stale.stderr).toBe(0);
    expect(stale.stderr).toContain('golive: compiling the TypeScript sources into build/');
    expect(stale.stdout).toContain('Nothing released yet.');
    expect(await readFile(await bundled('Nothing released yet.'), 'utf8')).not.toContain(edited);
  }, 300_000);

  it('runs with the small ES-module packages built into the bundle: none of them is needed in node_modules', async () => {
    const built = await start('/release list\n');
    expect(built.status, built.stderr).toBe(0);
    // node_modules as it is, but for the packages the bundle holds (lowdb's steno included).
    const partial = await mkdtemp(join(tmpdir(), 'golive-compiled-modules-'));
    temps.push(partial);
    const inlined = ['zod', 'date-fns', '@date-fns', 'lowdb', 'steno'];
    for (const name of await readdir(join(root, 'node_modules'))) {
      if (!inlined.includes(name)) await symlink(join(root, 'node_modules', name), join(partial, name));
    }
    await rm(inProject('node_modules'));
    await symlink(partial, inProject('node_modules'), 'dir');
    try {
      const run = await start('/release create "Jan" 2027-01-12 --template software-release\n/release status jan\n');
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('compiling');
      expect(run.stdout).toContain('Jan (jan) created from template software-release');
      // The status view formats dates with date-fns and @date-fns/tz; a store write goes through lowdb.
      expect(run.stdout).toContain('Implementation: 12 Jan 2027 09:00 (Europe/London)');
    } finally {
      await rm(inProject('node_modules'));
      await symlink(join(root, 'node_modules'), inProject('node_modules'), 'dir');
    }
  }, 120_000);
});

describe('npm start serving a chat platform', () => {
  let dir: string | undefined;
  let running: Started | undefined;
  afterEach(async () => {
    killGroup(running);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves /healthz from the compiled code and stops cleanly on Ctrl-C, which signals npm and golive alike', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-compiled-sigint-'));
    const port = await freePort();
    running = startGolive({ GOLIVE_DATA_DIR: dir, PORT: String(port), TEAMS_LOCAL: '1' });
    await running.printed(`golive listening on port ${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await readdir(dir)).toContain('golive.lock');

    // A terminal's Ctrl-C goes to the whole foreground process group.
    process.kill(-running.child.pid!, 'SIGINT');
    await running.exited;
    // Everything npm started has gone, and golive closed its store on the way out.
    expect(() => process.kill(-running!.child.pid!, 0)).toThrow();
    expect(await readdir(dir)).not.toContain('golive.lock');
  }, 60_000);
});
