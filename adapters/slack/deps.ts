import type { AdapterDeps } from '../../src/app/adapter.js';

/** What Slack's listeners are given: the same as every adapter. */
export type SlackDeps = AdapterDeps;
