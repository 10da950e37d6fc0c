import { afterEach, describe, expect, it } from 'vitest';
import { SlackHarness, CHANNEL } from './support/slack-harness.js';
import { Harness } from './support/golive.js';
import { recordOf } from './support/store-records.js';

// People see the audit record's head in what golive posts; that head is what later proves the
// record was not cut or rewritten, so it must be the head of the record that made the post.
describe('the audit head people are shown', () => {
  let slack: SlackHarness | undefined;
  let console: Harness | undefined;
  afterEach(async () => {
    await slack?.close();
    await console?.close();
    slack = console = undefined;
  });

  it('is in the Slack announcement of a date move, and audit verify --head finds it in the record', async () => {
    slack = await SlackHarness.open();
    await slack.command('URITA', 'create "Nov" 2019-11-29 --id nov');
    await slack.command('URITA', 'date 2019-12-06 "A severity 2 defect was found"');
    const entry = (await slack.doc('nov')).audit.at(-1)!;
    const posted = slack.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNEL);
    const announcement = JSON.stringify(posted.at(-1)!.body.blocks);
    expect(announcement).toContain('moves from 29 Nov 2019');
    expect(announcement).toContain(`Audit record: entry ${entry.seq}, head `);
    expect(announcement).toContain(entry.hash.slice(0, 12));

    const { reply } = await slack.command('URITA', `audit verify --head ${entry.hash.slice(0, 12)}`);
    expect(reply).toContain(`is entry ${entry.seq} of ${entry.seq}`);
  });

  it('is in status and the decision paper, and a head that is not in the record is called out', async () => {
    console = await Harness.open();
    await console.run('/release create "Nov" 2019-11-29 --id nov\n/release role DCC dan');
    const head = (await recordOf(console.store, 'nov')).audit.at(-1)!;
    const { output } = await console.run('/release status\n/release report');
    const [paper = ''] = await console.written(output);
    expect(output).toContain(`Audit record: entry 2, head \`${head.hash.slice(0, 12)}\``);
    expect(paper).toContain(`/release audit verify --head ${head.hash.slice(0, 12)}`);
    const missing = (await console.run('/release audit verify --head 0123456789ab')).output;
    expect(missing).toContain('head 0123456789ab is NOT in this record');
    const bad = (await console.run('/release audit verify --head xyz')).output;
    expect(bad).toContain('--head takes the hash shown by golive');
  });
});
