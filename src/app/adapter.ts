import type { RequestListener } from 'node:http';
import type { Platform } from '../domain/primitives.js';
import type { GoliveApp } from './app.js';
import type { Clock } from './clock.js';
import type { Directory } from './context.js';
import type { ChatPort } from './delivery/chat-port.js';
import type { Inbox } from './inbox.js';
import type { Tell } from './recover.js';

/** A path on golive's one HTTP server that a platform's requests arrive at (POST only). */
export interface Mount {
  path: string;
  listener: RequestListener;
}

/**
 * One chat platform as golive sees it. `serve` starts every adapter whose settings are present,
 * mounts their paths on the shared server, hands their ports to the outbox and their directories
 * to the app. Platform syntax (mentions, links, markup) never leaves the adapter: what it gives
 * the app is the neutral grammar, and what it gets back is neutral views.
 */
export interface Adapter {
  readonly platform: Platform;
  /** Paths on the shared HTTP server; none for a platform reached another way (Slack's Socket Mode). */
  readonly mounts: readonly Mount[];
  /** Checks the platform accepts golive's credentials and opens any connection it needs. */
  start(): Promise<void>;
  /** Stops taking requests; work already acknowledged is finished by `serve`. */
  stop(): Promise<void>;
  /** Posts, edits and direct messages for the outbox. */
  readonly chat: ChatPort;
  /** The platform's people and groups: what a group mention expands to, a person's name. */
  readonly directory: Directory;
  /** Tells a person the outcome of a request acknowledged before a restart and handled after it. */
  readonly tell: Tell;
}

/** What `serve` gives every adapter it makes. */
export interface AdapterDeps {
  /** The one way into golive: `handle` for text, `act` for a button, `submit` for a form. */
  app: GoliveApp;
  /** Starts delivering the outbox (checklist edits, announcements) without waiting for it. */
  kickOutbox: () => void;
  log: (message: string) => void;
  /** Every handler runs inside it (`inflight.run`), so shutdown can wait for work done after an ack. */
  inflight: { run<T>(work: () => Promise<T>): Promise<T> };
  /** Every request is written here before the platform is acknowledged; what a crash leaves is handled at start. */
  inbox: Inbox;
  clock: Clock;
}

/**
 * Makes one platform's adapter from what `serve` gives it; the platform's own settings are bound
 * in by whoever builds the list (main.ts), e.g. `(deps) => createSlackAdapter(slackConfig, deps)`.
 */
export type AdapterFactory = (deps: AdapterDeps) => Adapter;

/** An adapter that could not start (credentials refused, connection not opened): golive stops with its message. */
export class AdapterStartError extends Error {}
