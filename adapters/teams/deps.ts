import type { GoliveApp } from '../../src/app/app.js';
import type { Clock } from '../../src/app/clock.js';
import type { Inbox } from '../../src/app/inbox.js';
import type { Inflight } from '../../src/inflight.js';

/** What every adapter is given (the same as AdapterDeps on branch `entry`). */
export interface TeamsDeps {
  app: GoliveApp;
  /** Starts delivering the outbox (checklist edits, announcements) without waiting for it. */
  kickOutbox(): void;
  log(message: string): void;
  /** Every request runs inside it, so shutdown (and tests) can wait for work done after the response. */
  inflight: Inflight;
  /** Every command and button press is written here before Teams gets its HTTP response. */
  inbox: Inbox;
  clock: Clock;
}
