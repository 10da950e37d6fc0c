import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Many tests start golive as people do (`npm start`), which runs the compiled code under build/ and
// compiles it first when the sources changed. Compiled once here, before any test starts, so no
// test's time goes to compiling and the others waiting for it.
export default function buildOnce(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) throw new Error(`golive could not be compiled (node scripts/build.mjs exited ${run.status ?? run.signal}): see above`);
}
