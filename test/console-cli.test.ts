import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// `npm start` exactly as the README has a newcomer run it, with piped input.
const root = new URL('..', import.meta.url).pathname;

function start(input: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Run from the temp folder, as a newcomer runs it from theirs: report files land in its reports/.
    const child = spawn('npm', ['--prefix', root, 'start', '--silent'], { cwd: env.GOLIVE_DATA_DIR, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('npm start with piped input', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-cli-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replays the seed scenario from the README to GO, the paper, then NO-GO and stale answers', async () => {
    const script = await readFile(join(root, 'examples', 'sec-release-2019.txt'), 'utf8');
    const { status, stdout, stderr } = await start(script, { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: '2019-11-04T09:00:00Z' });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('November 2019 SEC Release: GO');
    const written = join(dir, 'reports', 'nov-2019-sec-decision-paper.md');
    expect(stdout).toContain(`Decision paper: November 2019 SEC Release: written to ${written}`);
    expect(await readFile(written, 'utf8')).toContain('# Approval to implement the November 2019 SEC Release');
    expect(stdout).toContain('November 2019 SEC Release: NO-GO');
    expect(stdout).toContain('must be confirmed again');
    expect(JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')).releases[0].id).toBe('nov-2019-sec');
  }, 60_000);

  it('exits 1 when a piped line does not parse, after running the others', async () => {
    // A rehearsal clock keeps the date in the future whatever day the suite runs.
    const { status, stdout } = await start('/release create "R" 2026-12-01 --id r\n/release stauts\n/release list\n', { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: '2026-11-02T09:00:00Z' });
    expect(status).toBe(1);
    expect(stdout).toContain('Did you mean `status`?');
    expect(stdout).toMatch(/PENDING R `?r`?/);
  }, 60_000);

  it('refuses to start on a corrupt store file, naming it, and leaves it as it was', async () => {
    await mkdir(join(dir, 'releases'), { recursive: true });
    await writeFile(join(dir, 'index.json'), JSON.stringify({ version: 1, releases: [{ id: 'r', name: 'R', channels: [] }] }));
    const corrupt = '{"version":1,"release":{"id":"r"';
    await writeFile(join(dir, 'releases', 'r.json'), corrupt);
    const { status, stderr } = await start('/release list\n', { GOLIVE_DATA_DIR: dir });
    expect(status).toBe(2);
    expect(stderr).toContain('golive cannot start.');
    expect(stderr).toContain(join('releases', 'r.json'));
    expect(await readFile(join(dir, 'releases', 'r.json'), 'utf8')).toBe(corrupt);
  }, 60_000);

  it('refuses to start on a malformed setting, naming the variable', async () => {
    const { status, stderr } = await start('', { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: 'yesterday' });
    expect(status).toBe(2);
    expect(stderr).toContain('GOLIVE_CLOCK_START');
  }, 60_000);
});
