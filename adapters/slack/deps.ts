import type { GoliveApp } from '../../src/app/app.js';
import type { Inflight } from '../../src/inflight.js';
import type { Inbox } from '../../src/app/inbox.js';

export interface SlackDeps {
  app: GoliveApp;
  /** Starts delivering the outbox (checklist edits, announcements) without waiting for it. */
  kickOutbox: () => void;
  log: (message: string) => void;
  /** Every listener runs inside it, so shutdown can wait for work done after an ack. */
  inflight: Inflight;
  /** Every command, click and form is written here before Slack is acknowledged. */
  inbox: Inbox;
}
