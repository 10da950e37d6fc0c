import type { GoliveApp } from './app.js';
import type { Clock } from './clock.js';
import type { Inbox, Received } from './inbox.js';
import type { Reply } from './request.js';
import type { Platform } from '../domain/primitives.js';
import { handleReceived, outcomeLine, recoveredReplies } from './received.js';

/** Tells one person, on their platform, the outcome of a request golive handled after an interruption. */
export type Tell = (entry: Received, replies: Reply[]) => Promise<void>;

/**
 * One pass over the inbox's abandoned requests: acknowledged, not done, and their handler gone
 * (golive stopped, or the replica that received them died). Each is handled now, oldest first,
 * through the same entry points, as a replay: a change it made before is found by its request id
 * in the audit trail and not made again. Each person is told the outcome; then the request is
 * marked done. Only platforms with a teller are asked for: the others' requests wait for a process
 * that serves them. Resolves with how many were handled.
 */
export async function recoverInbox(app: GoliveApp, inbox: Inbox, tellers: Partial<Record<Platform, Tell>>, clock: Clock, log: (message: string) => void): Promise<number> {
  const platforms = (Object.keys(tellers) as Platform[]).filter((platform) => tellers[platform] !== undefined);
  if (platforms.length === 0) return 0;
  const seen = new Set<string>();
  let handled = 0;
  for (;;) {
    const batch = await inbox.abandoned(clock.now(), platforms);
    // One that comes back within a pass could not be marked done: the next pass tries it again.
    if (batch.length === 0 || batch.some((entry) => seen.has(entry.id))) return handled;
    log(`inbox: ${batch.length} request${batch.length === 1 ? '' : 's'} acknowledged and not handled (golive stopped before answering); handling ${batch.length === 1 ? 'it' : 'them'} now`);
    for (const entry of batch) {
      seen.add(entry.id);
      await recoverOne(app, inbox, entry, tellers[entry.platform]!, log);
      handled += 1;
    }
  }
}

async function recoverOne(app: GoliveApp, inbox: Inbox, entry: Received, tell: Tell, log: (message: string) => void): Promise<void> {
  let replies: Reply[];
  let line: string;
  try {
    replies = await handleReceived(app, entry, true);
    line = outcomeLine(replies);
  } catch (error) {
    // As on the live path: a request that fails is answered with the failure and done, not replayed for ever.
    const reason = reasonOf(error);
    log(`inbox: could not handle request ${entry.id} from ${entry.actor}: ${reason}`);
    replies = [
      {
        kind: 'view',
        visibility: 'private',
        view: { title: 'Not done', blocks: [{ type: 'paragraph', content: [{ type: 'text', text: `golive could not handle it (${reason}). Please try again.` }] }] },
      },
    ];
    line = `failed: ${reason}`;
  }
  try {
    await tell(entry, recoveredReplies(entry, replies));
  } catch (error) {
    // The change itself is recorded; only the message failed, and it is not worth replaying the request for.
    const reason = reasonOf(error);
    log(`inbox: handled request ${entry.id} from ${entry.actor} after an interruption, but could not tell them: ${reason}`);
    line = `${line} (not told: ${reason})`;
  }
  try {
    await inbox.done(entry.id, line);
  } catch (error) {
    log(`inbox: handled request ${entry.id}, but could not mark it done (${reasonOf(error)}); it is handled again, as a replay, once its claim ends`);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
