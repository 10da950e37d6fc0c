import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// golive runs from its TypeScript sources (tests, tsx) and from their compiled copy under build/
// (npm start), one folder deeper. Files it reads at run time (templates, SQL migrations) are not
// compiled and stay where they are in the project, so they are found from the project's folder,
// the nearest one up holding package.json, wherever this module was loaded from.
const ROOT = projectRoot(dirname(fileURLToPath(import.meta.url)));

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`golive's project folder (the one holding package.json) is not above ${from}`);
  }
}

/** A file or folder of the project, e.g. projectPath('templates'). */
export function projectPath(...segments: string[]): string {
  return join(ROOT, ...segments);
}
