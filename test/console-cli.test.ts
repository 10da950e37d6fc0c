import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRaw } from './support/release-on-disk.js';

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

  it('rehearses the schedule: kickoff, a reminder, the evidence deadlines, a late answer, and the T-1 announcement of 28 Nov 2019', async () => {
    const script = await readFile(join(root, 'examples', 'sec-release-2019.txt'), 'utf8');
    const { status, stdout } = await start(script, { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: '2019-11-04T09:00:00Z' });
    expect(status).toBe(0);
    const at = (text: string) => {
      const index = stdout.indexOf(text);
      expect(index, text).toBeGreaterThanOrEqual(0);
      return index;
    };
    // In the order they happen: /clock says where it goes, then runs what falls due on the way, each at its own time.
    const kickoff = at('[#general] Go-live checklist: November 2019 SEC Release: PENDING');
    const reminder = at('[DM @dan] Reminder: November 2019 SEC Release');
    const deadline = at('[#general] Evidence deadline for TAG: November 2019 SEC Release');
    at('Late for OPSG and TAG: given 7 Nov 2019 11:00 GMT, after their evidence deadline 6 Nov 2019 17:00 GMT');
    const decided = at('[#general] Panel decided GO by @pat on 15 Nov 2019 10:00 GMT');
    const announced = at('[#general] GO: November 2019 SEC Release is cleared to go live 29 Nov 2019 09:00 (Europe/London).');
    const defect = at('Clock moved to 2019-11-28T14:30:00.000Z.');
    expect([kickoff, reminder, deadline, decided, defect, announced].sort((a, b) => a - b)).toEqual([kickoff, reminder, deadline, decided, defect, announced]);
    expect(stdout).toContain('Evidence for TAG is due 6 Nov 2019 17:00 GMT.');

    // What golive did on its own is on record, each at the time it fell due.
    const doc = await readRaw(dir, 'nov-2019-sec');
    const scheduled = doc.audit.filter((entry: { actor: { platform: string } }) => entry.actor.platform === 'golive');
    const goNoGo = scheduled.find((entry: { command: string }) => entry.command.includes('go-no-go'));
    expect(goNoGo.at).toBe('2019-11-28T10:00:00.000Z');
    expect(goNoGo.command).toContain('due 28 Nov 2019 10:00 GMT');
    // Stepped through in order, nothing before the date move was sent late (after it, moved points may be).
    const beforeMove = scheduled.filter((entry: { at: string }) => entry.at < '2019-11-28T14:30:00.000Z');
    expect(beforeMove.length).toBeGreaterThan(3);
    expect(beforeMove.filter((entry: { command: string }) => /\blate\b/.test(entry.command))).toEqual([]);
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
