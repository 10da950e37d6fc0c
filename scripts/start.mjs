// @ts-check
// `npm start`: golive's compiled code (build/src/main.js), built first only if the sources changed
// since the last build (a check of a few milliseconds otherwise). In this same process, so npm
// starts one node, and a signal sent to it is one golive handles.
import { pathToFileURL } from 'node:url';
import { BuildError, ensureBuild, MAIN } from './build.mjs';

let built = false;
try {
  await ensureBuild();
  built = true;
} catch (error) {
  console.error(`golive cannot start. ${error instanceof BuildError ? error.message : error}`);
  process.exitCode = 2;
}
if (built) await import(pathToFileURL(MAIN).href);
