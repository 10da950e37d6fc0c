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
 * in that thread, or in the sender's personal chat if golive answers privately there.
 */
export async function teamsSideBySide(connector: FakeConnector, golive: Served, bare: Served, requests: number, concurrencies: number[]): Promise<Figure[]> {
  const arrivals = new Arrivals();
  onPush(connector.calls, (call) => {
    if (call.kind === 'create') return;
    const text = String(call.body.text ?? '') + JSON.stringify(call.body.attachments ?? []);
    arrivals.arrived(call.conversationId, text);
  });
  const activities = teamsActivities(connector.serviceUrl);
  const contender = (name: string, server: Served, tag: string, answers: RegExp): Contender => ({
    name,
    async send(n) {
      const user = { id: `29:${tag}-user-${n}`, name: `Person ${n}` };
      const activity = activities.message(user, 'release status', { kind: 'channel' });
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
