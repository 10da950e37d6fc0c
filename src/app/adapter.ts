import type { RequestListener } from 'node:http';
import type { Platform } from '../domain/primitives.js';
import type { Directory } from './context.js';
import type { ChatPort } from './delivery/chat-port.js';
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
