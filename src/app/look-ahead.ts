import type { Channel } from '../domain/release.js';
import type { Command } from './language/commands.js';
import type { SharedRelease, Store } from './store-port.js';

// A status reads the release its channel follows as stored now, whoever asks: that read starts as
// the request comes in, alongside the read of who the person is (the identities they linked), not
// after it. On PostgreSQL each is a round trip to the database, and one after the other they were
// most of the time a status took there.

/** The release a channel follows, with its id, as a command that only looks reads it; undefined: none. */
export type ChannelRelease = { id: string; shared: SharedRelease } | undefined;

/** The read a command will make of its channel's release, started now; undefined when it makes none. */
export function lookAhead(store: Store, command: Command, channel: Channel | undefined, releaseOption: string | undefined): Promise<ChannelRelease> | undefined {
  if (command.name !== 'status' || command.release !== undefined || releaseOption !== undefined || !channel || !store.sharedByChannel) return undefined;
  const looking = store.sharedByChannel(channel);
  // Awaited by the status once the identity read is done; a failure meanwhile is the status's to report.
  looking.catch(() => undefined);
  return looking;
}
