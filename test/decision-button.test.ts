import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { SlackHarness, CHANNEL } from './support/slack-harness.js';

// The Decide GO button goes through the same handler as `/release decide go`: through the real
// Bolt receiver with signed requests, a GO while anything else blocks is refused privately,
// audited, and never announced.
const RITA = 'URITA';
const DAN = 'UDAN';
const PAT = 'UPAT';
const R = 'nov';
const value = JSON.stringify({ r: R });
const announced = (h: SlackHarness) => h.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNEL && JSON.stringify(c.body).includes('decided'));

describe('the Decide GO button', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.open();
    for (const line of ['create "Nov" 2019-11-29 --template sec-release --id nov', `role DCC <@${DAN}>`, `role Panel <@${PAT}>`, 'group opsg members <@UOLIVIA>']) {
      expect((await h.command(RITA, line)).status, line).toBe(200);
    }
  });
  afterAll(() => h.close());

  it('refuses GO while other items block, privately, naming them, audited and not announced', async () => {
    const before = h.fake.calls.length;
    const { status } = await h.click(PAT, 'golive:decide:go', value);
    expect(status).toBe(200);
    const reply = h.repliesSince(before, PAT);
    expect(reply).toContain('GO refused: 10 things still block Nov');
    expect(reply).toContain('code-ready: waiting for an answer');
    expect(reply).toContain('--override');
    expect(announced(h)).toEqual([]);
    const doc = await h.doc(R);
    expect(doc.release.decisions).toEqual([]);
    expect(doc.audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: `slack:${PAT}`, platform: 'slack' }, command: '/release decide go (button)' });
    expect(verifyChain(doc.audit).ok).toBe(true);
  });

  it('refuses a manager pressing it under separation of duties, even once named approver by another manager', async () => {
    await h.command(RITA, 'manager add <@UMO>');
    await h.command('UMO', `role Panel <@${PAT}> <@${RITA}>`);
    const before = h.fake.calls.length;
    await h.click(RITA, 'golive:decide:no-go', value);
    expect(h.repliesSince(before, RITA)).toContain('keeps separation of duties');
    expect((await h.doc(R)).release.decisions).toEqual([]);
    expect((await h.doc(R)).audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: `slack:${RITA}` }, command: '/release decide no-go (button)' });
  });

  it('records NO-GO from the button and announces it, since a NO-GO needs nothing cleared', async () => {
    await h.click(PAT, 'golive:decide:no-go', value);
    expect((await h.doc(R)).release.decisions).toMatchObject([{ verdict: 'no-go', by: `slack:${PAT}`, platform: 'slack' }]);
    expect(announced(h)).toHaveLength(1);
  });

  it('shows a GO given with --override as GO (override) in the announcement and the checklist', async () => {
    await h.command(RITA, 'ask');
    const { reply } = await h.command(PAT, 'decide go --override "Go-live window cannot move; owners confirm by phone"');
    expect(reply).toContain('GO (override)');
    const announcement = JSON.stringify(announced(h).at(-1)!.body);
    expect(announcement).toContain('decided *GO (override)*');
    expect(announcement).toContain('Override, with 10 blockers still open: Go-live window cannot move; owners confirm by phone');
    // The checklist `ask` posted is edited in place after the decision.
    const checklist = JSON.stringify(h.fake.callsTo('chat.update').at(-1)!.body);
    expect(checklist).toContain('Go-live checklist: Nov: GO (override)');
    expect(checklist).toContain('*GO (override)* by <@UPAT> on 7 Nov 2019');
    expect(checklist).toContain('*Override:* Go-live window cannot move; owners confirm by phone');
  });
});
