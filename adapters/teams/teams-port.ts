import type { GoliveApp } from '../../src/app/app.js';
import type { ChatPort } from '../../src/app/delivery/chat-port.js';
import type { Channel } from '../../src/domain/release.js';
import type { View } from '../../src/views/elements.js';
import type { Place } from './connector.js';
import type { TeamsOutbound } from './outbound.js';
import type { NameOf } from './people.js';
import { viewMessage, type CardOptions } from './render.js';
import { refreshData, releaseOfView, teamsPeopleOf } from './viewer-card.js';

// The outbox's way into Teams: a post is a new message in the conversation (its activity id is the
// ref an update edits in place), a direct message goes to the person's personal chat. Errors are
// mapped in connector.ts: 429 and 5xx are RetryLater, with Teams' own wait; the rest are final.

export function teamsPort(app: GoliveApp, out: TeamsOutbound, names: () => Promise<NameOf>): ChatPort {
  /** A card with buttons is refreshed for the release's people, each seeing their own buttons. */
  const options = async (view: View): Promise<CardOptions> => {
    const releaseId = releaseOfView(view);
    const release = releaseId ? (await app.deps.store.get(releaseId))?.release : undefined;
    const identities = release && (await app.deps.identities?.read());
    const aliases = (id: string) => identities?.aliases(id) ?? [id];
    return { names: await names(), ...(release && { refresh: { userIds: teamsPeopleOf(release, aliases), data: refreshData(release.id) } }) };
  };
  return {
    async post(channel, view) {
      return { ref: await out.toConversation(channel.id, viewMessage(view, await options(view)), given(channel)) };
    },
    async update(channel, ref, view) {
      await out.update(channel.id, ref, viewMessage(view, await options(view)), given(channel));
    },
    async dm(person, view) {
      return { ref: await out.toPerson(teamsUserId(person.id), viewMessage(view, await options(view))) };
    },
  };
}

/** A person in the record is `teams:29:…`; older records may hold the bare Teams id. */
export const teamsUserId = (personId: string): string => (personId.startsWith('teams:') ? personId.slice('teams:'.length) : personId);

/** The reference a channel carries in the record, once channels carry one. */
function given(channel: Channel): Place | undefined {
  const reference = (channel as Channel & { reference?: Place }).reference;
  return reference?.serviceUrl ? reference : undefined;
}
