import { afterEach, describe, expect, it } from 'vitest';
import { SlackHarness } from './support/slack-harness.js';

// Nobody holds a role when a release is created, so the kickoff cannot tell owners what is theirs:
// each person is told when a role or an owner command first makes them an owner.
describe('new owners are told what is theirs', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const dmsTo = (user: string) =>
    h!.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.body.channel === user)
      .map((c) => JSON.stringify(c.body.blocks ?? c.body.text));

  it('by a direct message in Slack, once, listing their criteria', async () => {
    h = await SlackHarness.open();
    await h.command('URITA', 'create "Nov" 2019-11-29 --id nov');
    await h.command('URITA', 'role DCC <@UDAN>');
    const first = dmsTo('UDAN');
    expect(first).toHaveLength(1);
    expect(first[0]).toContain('Nov: what is yours');
    expect(first[0]).toContain('6 criteria are yours to answer');

    // Naming the same people again tells nobody anything new; a new owner of one criterion is told.
    await h.command('URITA', 'role DCC <@UDAN>');
    await h.command('URITA', 'owner 7 <@UERIN>');
    expect(dmsTo('UDAN')).toHaveLength(1);
    const erin = dmsTo('UERIN');
    expect(erin).toHaveLength(1);
    expect(erin[0]).toContain('One criterion is yours to answer');
    expect(erin[0]).toContain('secas-ready');
  });
});
