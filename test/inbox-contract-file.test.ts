import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INBOX_LEASE_MS, type Inbox } from '../src/app/inbox.js';
import { openInboxFile } from '../store/inbox-file.js';
import { inboxContract } from './inbox-contract.js';

// The Inbox contract on the file in the data folder: its successor is the same file opened again
// after golive stopped (one process owns the folder).
inboxContract('JSON-lines file (store/inbox-file.ts)', async (clock) => {
  const dir = await mkdtemp(join(tmpdir(), 'golive-inbox-contract-'));
  const opened: Inbox[] = [await openInboxFile(dir, { clock })];
  return {
    inbox: opened[0]!,
    leaseMs: INBOX_LEASE_MS,
    async successor() {
      for (const inbox of opened) await inbox.close();
      const next = await openInboxFile(dir, { clock });
      opened.push(next);
      return next;
    },
    async cleanup() {
      for (const inbox of opened) await inbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
