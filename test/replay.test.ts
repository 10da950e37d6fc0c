import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reply } from '../src/app/request.js';
import { Harness } from './support/golive.js';
import { qualify } from '../src/domain/person-id.js';
import { recordOf } from './support/store-records.js';

// A request handled again after a restart (replay) finds its own audit entry by request id and is
// not made a second time; the person is told it was recorded, or refused, as it was the first time.

const text = (replies: Reply[]) => JSON.stringify(replies);

describe('replaying a request after a restart', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open('2019-11-07T09:00:00Z');
    await h.run('/release create "Small" 2019-11-29 --id small\n/release role DCC @dan\n', 'rita');
  });
  afterEach(() => h.close());

  const run = (user: string, line: string, requestId: string, replay = false) =>
    h.app.handle({ actor: { id: qualify('console', user), platform: 'console' }, text: `${line} --release small`, requestId, ...(replay && { replay: true }) }).then((r) => r.replies);
  const audit = async () => (await recordOf(h.store, 'small')).audit;
  const entries = async (id: string) => (await audit()).filter((e) => e.request === id);

  it('records the request id in the audit entry and applies a replayed change once', async () => {
    expect(text(await run('dan', '/release confirm code-ready met', 'R-1'))).toContain('Recorded: criterion 1');
    const replayed = await run('dan', '/release confirm code-ready met', 'R-1', true);
    expect(text(replayed)).toContain('Already recorded: golive had recorded this');
    expect(await entries('R-1')).toEqual([expect.objectContaining({ outcome: 'applied', actor: { id: 'console:dan', platform: 'console' } })]);
    expect((await h.store.get('small'))!.release.criteria[0]!.responses).toHaveLength(1);
  });

  it('applies a replayed change that never reached the store', async () => {
    expect(text(await run('dan', '/release confirm code-ready met', 'R-2', true))).toContain('Recorded: criterion 1');
    expect(await entries('R-2')).toHaveLength(1);
  });

  it('tells a replayed refusal again without auditing it twice', async () => {
    const first = await run('mallory', '/release confirm code-ready met', 'R-3');
    expect(text(first)).toContain('Not allowed');
    const again = await run('mallory', '/release confirm code-ready met', 'R-3', true);
    expect(text(again)).toContain('Not allowed');
    expect(await entries('R-3')).toEqual([expect.objectContaining({ outcome: 'refused' })]);
  });

  it('does not create a release twice, nor call the first one a clash', async () => {
    const create = (replay: boolean) =>
      h.app.handle({ actor: { id: 'slack:rita', platform: 'slack' }, text: '/release create "Other" 2019-11-29 --id other', requestId: 'R-4', ...(replay && { replay: true }) });
    expect(text((await create(false)).replies)).toContain('Release created');
    expect(text((await create(true)).replies)).toContain('Already recorded');
    expect((await recordOf(h.store, 'other')).audit[0]!.request).toBe('R-4');
  });

  it('does not look at request ids outside a replay', async () => {
    await run('dan', '/release confirm code-ready met', 'R-5');
    await run('dan', '/release confirm code-ready not-met "found a gap"', 'R-5');
    expect(await entries('R-5')).toHaveLength(2);
  });
});
