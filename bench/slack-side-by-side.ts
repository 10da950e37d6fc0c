import type { FakeSlack } from '../test/support/fake-slack.js';
import { slashCommand } from '../test/support/slack-requests.js';
import { Arrivals, onPush } from './arrivals.js';
import { SIGNING_SECRET, type Served } from './compiled-golive.js';
import type { Figure } from './results.js';
import { sideBySide, type Contender } from './side-by-side.js';

export const SLACK_CHANNEL = 'C0BENCH';

/**
 * `/release status` in a channel linked to a release, as signed slash commands, to golive and to
 * the bare Bolt app in turn; each request from its own user, so the private answer
 * (chat.postEphemeral to that user) that reaches the fake Web API says which request it answers.
 */
export async function slackSideBySide(fake: FakeSlack, golive: Served, bare: Served, requests: number, concurrencies: number[]): Promise<Figure[]> {
  const arrivals = new Arrivals();
  onPush(
    fake.calls,
    (call) => {
      if (call.method === 'chat.postEphemeral' || call.method === 'chat.postMessage') arrivals.arrived(String(call.body.user ?? call.body.channel), String(call.body.text));
    },
    { keep: false },
  );
  const contender = (name: string, server: Served, tag: string, answers: RegExp): Contender => ({
    name,
    async send(n) {
      const userId = `U${tag}${n}`;
      const arrived = arrivals.expect(userId, `D${tag}${n}`);
      const response = await slashCommand(server.url, SIGNING_SECRET, { text: 'status', userId, channelId: SLACK_CHANNEL });
      if (response.status !== 200) throw new Error(`${name} answered ${response.status} to /release status: ${response.text}\n${server.output()}`);
      const { text } = await arrived;
      if (!answers.test(text)) throw new Error(`${name} did not answer /release status with the status: ${text}`);
    },
  });
  const contenders = [contender('golive', golive, 'G', /Release 1\b/), contender('bare Bolt', bare, 'B', /on track/)];
  // Warm both up (JIT, Bolt's auth.test, the release read into memory): not measured.
  await sideBySide(contenders, { requests: 50, concurrency: 4 });
  const rows: Figure[] = [];
  for (const concurrency of concurrencies) {
    fake.reset();
    rows.push(...(await sideBySide(contenders, { requests, concurrency })));
  }
  return rows;
}
