import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/domain/audit.js';
import { consoleDriver, slackDriver, teamsDriver, type Driver } from './drivers.js';
import { SEED_STEPS } from './seed-steps.js';

// One scenario, every platform: the seed release written once (seed-steps.ts), replayed through
// the console, through signed Slack requests and through Teams activities. Each must end GO with
// the same decision paper, apart from how each platform names its people.

/** The paper with each platform's people as their short names, and the record's head hidden. */
function neutralPaper(driver: Driver, paper: string): string {
  return paper.replace(/@(?:console|slack|teams):[A-Za-z0-9._:-]*[A-Za-z0-9]/g, (id) => `@${driver.personOf(id.slice(1)) ?? id}`).replace(/\b[0-9a-f]{12}\b/g, '<head>');
}

const PLATFORMS = [
  ['console', consoleDriver],
  ['Slack', slackDriver],
  ['Teams', teamsDriver],
] as const;

/** Each platform's paper, neutral, as its describe block wrote it, for the comparison at the end. */
const papers = new Map<string, string>();

describe.each(PLATFORMS)('the seed scenario through %s', (name, open) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await open();
    await driver.play(SEED_STEPS);
  });
  afterAll(() => driver.close());

  it('ends GO, with nothing blocking', async () => {
    const status = await driver.status();
    expect(status).toContain('November 2019 SEC Release: GO');
    expect(status).not.toMatch(/blocker/i);
  });

  it('keeps one intact audit chain with every answer applied and nothing refused', async () => {
    const audit = await driver.audit();
    expect(verifyChain(audit as never).ok).toBe(true);
    expect(audit.filter((e) => e.outcome === 'refused')).toEqual([]);
    expect(audit.filter((e) => e.command.includes('confirm')).length).toBe(7);
  });

  it('edits the one checklist message in place after each answer, where the platform has messages to edit', () => {
    const { posts, edits, sameMessage } = driver.checklistEdits();
    expect(posts).toBeGreaterThanOrEqual(1);
    if (driver.platform === 'console') return;
    expect(posts).toBe(1);
    expect(edits).toBeGreaterThanOrEqual(9);
    expect(sameMessage).toBe(true);
  });

  it('writes the decision paper of a GO from the record', async () => {
    const paper = neutralPaper(driver, await driver.paper());
    expect(paper.startsWith('# Approval to implement the November 2019 SEC Release')).toBe(true);
    expect(paper).toContain('The Panel decided **GO** on 15 Nov 2019 10:00 GMT (@pat)');
    expect(paper).toContain('- AGREE that the November 2019 SEC Release can be set live on 29 Nov 2019.');
    papers.set(name, paper);
  });
});

describe('one scenario, every platform', () => {
  it('gives the same decision paper on the console, in Slack and in Teams, apart from how each names its people', () => {
    expect([...papers.keys()]).toEqual(['console', 'Slack', 'Teams']);
    const [console, slack, teams] = [...papers.values()];
    expect(slack).toBe(console);
    expect(teams).toBe(console);
  });
});
