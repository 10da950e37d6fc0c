import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { Harness } from './support/golive.js';
import { releaseText } from './support/release-on-disk.js';

// After the date: a manager closes the release with its outcome, through the real console; a
// release past its date with no outcome is shown as overdue.

const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release role DCC dan
/release role Panel pat
/release group tag members tara tom --quorum 1
`;

describe('close and overdue', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());

  const onDisk = () => h.onDisk('nov');
  const as = (user: string, line: string) => h.as(user, line);

  it('refuses a close by someone who is not a release manager, and audits the refusal', async () => {
    h.clock.set('2019-11-29T12:00:00Z');
    const output = await as('dan', '/release close went-live');
    expect(output).toContain('Only the release managers (@rita) can close the release for Nov.');
    const doc = await onDisk();
    expect(doc.release.outcome).toBeUndefined();
    expect(doc.audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: 'console:dan' }, command: '/release close went-live' });
    expect(verifyChain(doc.audit).ok).toBe(true);
  });

  it('refuses went-live and rolled-back before the implementation time, and records nothing', async () => {
    const before = (await onDisk()).audit.length;
    const output = await as('rita', '/release close went-live');
    expect(output).toContain('Nov is due at 29 Nov 2019 09:00 (Europe/London), in 21 days 23 hours: it cannot have gone live yet.');
    expect(await as('rita', '/release close rolled-back "x"')).toContain('it cannot have been rolled back yet');
    const doc = await onDisk();
    expect(doc.release.outcome).toBeUndefined();
    expect(doc.audit).toHaveLength(before);
    expect(await as('rita', '/release list')).toMatch(/^PENDING Nov `nov`/m);
  });

  it('allows cancelled before the date: the release is closed and announced to its channel', async () => {
    const output = await as('rita', '/release close cancelled "merged into the December release"');
    expect(output).toContain('Closed as CANCELLED.');
    expect(output).toContain('[#general] Nov is closed: CANCELLED: merged into the December release. Recorded by @rita on 7 Nov 2019');
    const doc = await onDisk();
    expect(doc.release.outcome).toMatchObject({ result: 'cancelled', note: 'merged into the December release', by: 'console:rita', platform: 'console' });
    expect(doc.audit.at(-1)).toMatchObject({ outcome: 'applied', command: '/release close cancelled "merged into the December release"', after: { outcome: { result: 'cancelled' } } });
    expect(doc.outbox.filter((m) => m.kind === 'closed' && m.id.startsWith('closed:nov:'))).toHaveLength(1);
    expect(await as('rita', '/release list')).toMatch(/^CLOSED: CANCELLED Nov `nov`/m);
  });

  it('shows a release past its date without an outcome as OVERDUE in list, status and the paper; the verdict is still computed', async () => {
    await as('dan', '/release confirm code-ready not-met "build broken"');
    h.clock.set('2019-12-01T09:30:00Z');
    expect(await as('rita', '/release list')).toMatch(
      /^OVERDUE NO-GO Nov `nov` · 29 Nov 2019 09:00 \(Europe\/London\), went past its date 2 days ago without an outcome: record it with \/release close/m,
    );
    const status = await as('rita', '/release status');
    const lines = status.split('\n');
    const top = lines.indexOf('Nov: NO-GO');
    expect(top).toBeGreaterThanOrEqual(0);
    expect(lines[top + 2]).toBe('OVERDUE: went past its date 2 days ago without an outcome: record it with /release close went-live|rolled-back|cancelled ["note"]');
    const [overdue = ''] = await h.written(await as('rita', '/release report'));
    expect(overdue).toContain('**OVERDUE**: the Nov went past its date 2 days ago without an outcome being recorded');
  });

  it('closes as went-live once the date has passed: no more changes, reads still work, outcome in list, status and paper', async () => {
    h.clock.set('2019-11-29T15:00:00Z');
    expect(await as('rita', '/release close went live "smooth, no incidents"')).toContain('Closed as WENT LIVE.');
    const saved = await releaseText(h.dir, 'nov');

    const closed = 'Nov is closed: WENT LIVE, recorded by @rita on 29 Nov 2019 15:00 GMT. It takes no more answers or changes';
    expect(await as('dan', '/release confirm code-ready met')).toContain(closed);
    expect(await as('tara', '/release signoff tag agree')).toContain(closed);
    expect(await as('pat', '/release decide no-go "too late"')).toContain(closed);
    expect(await as('rita', '/release date 2019-12-06 "again"')).toContain(closed);
    expect(await as('rita', '/release close rolled-back')).toContain(closed);
    expect(await as('dan', '/release close cancelled')).toContain(closed);
    // Nothing was written by any of those: not the release, not the audit trail.
    expect(await releaseText(h.dir, 'nov')).toBe(saved);

    expect(await as('rita', '/release list')).toMatch(/^CLOSED: WENT LIVE Nov `nov` · 29 Nov 2019 09:00 \(Europe\/London\) · last verdict PENDING/m);
    const status = await as('dan', '/release status');
    expect(status).toContain('CLOSED: WENT LIVE · recorded by @rita on 29 Nov 2019 15:00 GMT: smooth, no incidents');
    expect(status).not.toContain('OVERDUE');
    const [paper = ''] = await h.written(await as('dan', '/release report'));
    expect(paper).toContain('**Outcome: WENT LIVE**, recorded by @console:rita on 29 Nov 2019 15:00 GMT: smooth, no incidents');
    expect(paper).toMatch(/## \d+\. Outcome\n\n\*\*Outcome: WENT LIVE\*\*/);
    expect(await as('rita', '/release audit verify')).toContain('Audit record intact');
  });

  it('records rolled-back after the date', async () => {
    h.clock.set('2019-11-30T08:00:00Z');
    expect(await as('rita', '/release close rolled-back "DB migration failed"')).toContain('Closed as ROLLED BACK.');
    expect((await onDisk()).release.outcome).toMatchObject({ result: 'rolled-back', note: 'DB migration failed' });
    expect(await as('rita', '/release list')).toMatch(/^CLOSED: ROLLED BACK Nov/m);
  });

  it('explains close in help', async () => {
    const help = await as('rita', '/release help close');
    expect(help).toContain('/release close went-live|rolled-back|cancelled ["note"]');
    expect(help).toContain('cancelled at any time');
  });
});
