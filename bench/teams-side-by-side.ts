import type { FakeConnector } from '../test/support/fake-connector.js';
import { teamsActivities } from '../test/support/teams-activities.js';
import { Arrivals, onPush } from './arrivals.js';
import type { Served } from './compiled-golive.js';
import type { Figure } from './results.js';
import { sideBySide, type Contender } from './side-by-side.js';

/**
 * `release status` as a Teams message activity in a channel linked to a release (each in its own
 * thread), to golive's /api/messages in local mode and to the bare Agents SDK echo in turn, both
 * answering through the same fake Bot Connector. An answer counts when it reaches the connector
 * in that thread (each message starts its own, as a new post in a Teams channel does) or in the
 * sender's personal chat, where golive answers status privately. PEOPLE exceeds the concurrency, so
 * requests in flight seldom share a person (and a personal chat); when a slow one does, the
 * person's answers go to their requests oldest first (see Arrivals).
 */
const PEOPLE = 40;

export async function teamsSideBySide(connector: FakeConnector, golive: Served, bare: Served, requests: number, concurrencies: number[]): Promise<Figure[]> {
  const arrivals = new Arrivals();
  onPush(
    connector.calls,
    (call) => {
      if (call.kind === 'create') return;
      // A card's summary is its title (the status's "Release 1: …"): enough to tell the answer from an
      // error, without this process encoding each 14 KB card again on the machine it shares with golive.
      const text = `${String(call.body.text ?? '')} ${String(call.body.summary ?? '')}`;
      arrivals.arrived(call.conversationId, text);
    },
    { keep: false },
  );
  const activities = teamsActivities(connector.serviceUrl);
  const contender = (name: string, server: Served, tag: string, answers: RegExp): Contender => ({
    name,
    async send(n) {
      // A team's few dozen people, each writing again: golive learns a person once, not per request.
      const user = { id: `29:${tag}-user-${n % PEOPLE}`, name: `Person ${n % PEOPLE}` };
      const activity = activities.message(user, 'release status', { kind: 'channel' });
      // golive answers status privately, in the person's chat with it; the echo answers in the thread.
      const arrived = arrivals.expect(activity.conversation.id, connector.personalChatOf(user.id));
      const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const body = await response.text();
      if (response.status >= 300) throw new Error(`${name} answered ${response.status} to a release status message: ${body}\n${server.output()}`);
      const { text } = await arrived;
      if (!answers.test(text)) throw new Error(`${name} did not answer release status with the status: ${text.slice(0, 500)}`);
    },
  });
  const contenders = [contender('golive', golive, 'g', /Release 1\b/), contender('bare Agents SDK', bare, 'b', /echo:/)];
  await sideBySide(contenders, { requests: 50, concurrency: 4 });
  const rows: Figure[] = [];
  for (const concurrency of concurrencies) {
    connector.reset();
    rows.push(...(await sideBySide(contenders, { requests, concurrency })));
  }
  return rows;
}
