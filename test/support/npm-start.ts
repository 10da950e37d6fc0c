import { spawn } from 'node:child_process';

// `npm start` exactly as the README has people run it, with piped input, from the data folder as its
// working directory, so the files the console writes (./reports/) land there and not in the repository.
const root = new URL('../..', import.meta.url).pathname;

/** `project`: another copy of the project to start (default: this one). */
export function npmStart(input: string, env: Record<string, string>, project = root): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['--prefix', project, 'start', '--silent'], { cwd: env.GOLIVE_DATA_DIR ?? root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}
