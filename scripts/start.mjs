// @ts-check
// `npm start`: golive's compiled code (build/src/main.js), built first only if the sources changed
// since the last build (a check of a few milliseconds otherwise). In this same process, so npm
// starts one node, and a signal reaches golive as it reaches this script.
import { pathToFileURL } from 'node:url';
import { BuildError, ensureBuild, MAIN } from './build.mjs';

try {
  await ensureBuild();
} catch (error) {
  console.error(`golive cannot start. ${error instanceof BuildError ? error.message : error}`);
  process.exit(2);
}
await import(pathToFileURL(MAIN).href);
