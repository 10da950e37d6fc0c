import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackHarness } from './support/slack-harness.js';

// history through the real Bolt receiver: the neutral view renders as Block Kit with mentions and links.

const RITA = 'URITA';
const DAN = 'UDAN';

describe('history in Slack', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.open('2019-11-07T09:00:00Z');
  });
  afterAll(() => h.close());

  it("shows a criterion's timeline to the person who asked, with mentions and evidence links", async () => {
    for (const line of ['create "Nov" 2019-11-29 --template sec-release --id nov', 'link --release nov', `role DCC <@${DAN}>`]) {
      expect((await h.command(RITA, line)).status).toBe(200);
    }
    await h.command(DAN, 'confirm code-ready met "build 42" --evidence https://example.org/build/42');
    const { status, reply } = await h.command(RITA, 'history code-ready');
    expect(status).toBe(200);
    expect(reply).toContain('History of criterion 1 (code-ready): Nov');
    expect(reply).toContain(`answered *met* · <@${DAN}> via slack`);
    expect(reply).toContain('<https://example.org/build/42>');
    expect(reply).toContain('build 42');
    expect(reply).not.toContain('Not done');
  });
});
