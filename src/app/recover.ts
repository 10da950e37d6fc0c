import type { GoliveApp } from './app.js';
import type { Inbox, Received } from './inbox.js';
import type { Reply } from './request.js';
import type { Platform } from '../domain/primitives.js';
import { handleReceived, outcomeLine, recoveredReplies } from './received.js';

/** Tells one person, on their platform, the outcome of a request golive handled after restarting. */
export type Tell = (entry: Received, replies: Reply[]) => Promise<void>;

/**
 * At start-up, before serving: every request that was acknowledged but not handled when golive
 * stopped is handled now, in the order received, through the same entry points. A change it
 * made before the crash is found by its request id in the audit trail and not made again. Each
 * person is told the outcome; then the request is marked done.
 */
export async function recoverInbox(app: GoliveApp, inbox: Inbox, tellers: Partial<Record<Platform, Tell>>, log: (message: string) => void): Promise<number> {
  const waiting = inbox.unfinished();
  if (waiting.length > 0) log(`inbox: ${waiting.length} request${waiting.length === 1 ? '' : 's'} acknowledged before a restart and not yet handled; handling them now`);
  let handled = 0;
  for (const entry of waiting) {
    const tell = tellers[entry.platform];
    if (!tell) {
      log(`inbox: request ${entry.id} came from ${entry.platform}, which is not configured; it waits until it is`);
      continue;
    }
    const replies = await handleReceived(app, entry, true);
    let line = outcomeLine(replies);
    try {
      await tell(entry, recoveredReplies(entry, replies));
    } catch (error) {
      // The change itself is recorded; only the message failed, and it is not worth replaying the request for.
      const reason = error instanceof Error ? error.message : String(error);
      log(`inbox: handled request ${entry.id} from ${entry.actor} after the restart, but could not tell them: ${reason}`);
      line = `${line} (not told: ${reason})`;
    }
    await inbox.done(entry.id, line);
    handled += 1;
  }
  return handled;
}
