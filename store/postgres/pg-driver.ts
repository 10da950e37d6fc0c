import { createRequire } from 'node:module';
import type pg from 'pg';

// The pg driver, loaded so that it does not load Node's fetch. As pg's stream module is first
// evaluated it asks whether it runs on Cloudflare Workers: by navigator.userAgent where there is
// a navigator (Node 21 and later), else by constructing a fetch Response, which on Node 20 loads
// undici, the whole of fetch, for nothing: 70-100 ms of every start on PostgreSQL, measured, where
// the console prompt must come within 0.6 s. For that one synchronous load the question is given the
// answer Node 21 gives (a navigator that is not Cloudflare's), and nothing of it is left behind.
// Only the store's modules load pg, and they load it through here.

const require = createRequire(import.meta.url);

function load(): typeof pg {
  if ('navigator' in globalThis) return require('pg') as typeof pg;
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true });
  try {
    return require('pg') as typeof pg;
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator;
  }
}

/** The pg module: Pool, Client and the rest. */
export const driver = load();
