import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';
import { recordOf } from './support/store-records.js';

// What the console prints: one line for a change, the whole checklist only on status and ask, no
// buttons nobody can click there, announcements marked with their channel.

const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release link --release nov
/release role DCC dan
/release ask
`;

describe('console output', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open('2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());

  /** What one command printed, without the echoed prompt line and the blank lines around it. */
  const printed = (output: string) =>
    output
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '');

  it('posts the checklist on ask, marked with its channel, without buttons', async () => {
    const { output } = await h.run(SETUP);
    const ask = output.slice(output.indexOf('rita in #general> /release ask'));
    expect(ask).toContain('[#general] Go-live checklist: Nov: PENDING');
    expect(ask).toMatch(/^\[ \] 6\. ops-ready/m);
    expect(output).not.toMatch(/\(Met \| Not met/);
    expect(output).not.toContain('OPSG: agree |');
    expect(output).not.toContain('Decide GO |');
  });

  it('answers a change with one line saying what was recorded, and does not redraw the checklist', async () => {
    await h.run(SETUP);
    const { output } = await h.run('/release confirm code-ready met --evidence https://example.org/b', 'dan');
    expect(printed(output)).toEqual(['Recorded: criterion 1 (code-ready) met, with 1 evidence link.  (only you can see this)']);
    // The posted checklist was still kept up to date in the store, for the platforms that show it.
    expect((await recordOf(h.store, 'nov')).outbox.some((m) => m.kind === 'checklist-update' && m.status === 'sent')).toBe(true);
  });

  it('shows the whole checklist on status', async () => {
    await h.run(SETUP);
    await h.run('/release confirm code-ready met', 'dan');
    const { output } = await h.run('/release status');
    expect(output).toMatch(/^\[x\] 1\. code-ready/m);
    expect(output).toMatch(/^\[ \] 7\. secas-ready/m);
  });

  it('prints an announcement inline with its channel marker', async () => {
    await h.run(SETUP);
    const { output } = await h.run('/release switch SECMP0062 on --source "TOC"');
    const lines = printed(output);
    expect(lines[0]).toBe('Switch SECMP0062 recorded as on — expected off: this blocks go-live.  (only you can see this)');
    expect(output).toContain('[#general] ALERT: guarded switch SECMP0062 turned on (expected off) by @rita via console, TOC. This blocks go-live.');
  });
});
