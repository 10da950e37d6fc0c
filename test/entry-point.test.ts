import { qualify } from '../src/domain/person-id.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import type { Origin, Reply } from '../src/app/request.js';
import type { Store } from '../src/app/store-port.js';
import { ANSWER_FORM } from '../src/app/language/action-ids.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { renderText } from '../adapters/console/render-text.js';
import { TestClock } from './support/test-clock.js';
import { recordOf } from './support/store-records.js';

// Buttons and forms reach the app through GoliveApp.act and .submit, as a platform without
// Slack's modals would call them: each becomes a typed command run by `execute`.

const CHANNEL = { platform: 'teams' as const, id: 'conv-1' };
const as = (id: string): Origin => ({ actor: { id: qualify('teams', id), platform: 'teams' }, channel: CHANNEL });
const text = (replies: Reply[]) => replies.map((r) => (r.kind === 'view' ? renderText(r.view) : r.kind === 'form' ? `(form ${r.form.title})` : r.filename)).join('\n');

describe('one entry point for buttons and forms', () => {
  let dir: string;
  let store: Store;
  let app: GoliveApp;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-entry-'));
    store = await openLowdbStore(dir);
    app = new GoliveApp({ store, clock: new TestClock('2019-11-07T09:00:00Z'), directory: noGroups });
    for (const line of ['/release create "Nov" 2019-11-29 --id nov', '/release role DCC dan']) await app.handle({ ...as('rita'), text: line });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const answer = (who: string, word: string) => app.act(as(who), `golive:answer:${word}`, JSON.stringify({ r: 'nov', c: 'code-ready' }));

  it("gives an owner's answer button a private form to fill in, and writes nothing", async () => {
    const entries = (await recordOf(store, 'nov')).audit.length;
    const replies = await answer('dan', 'not-met');
    expect(replies).toEqual([{ kind: 'form', visibility: 'private', form: expect.objectContaining({ id: ANSWER_FORM, title: 'Not met: criterion 1', submit: 'Record answer' }) }]);
    const first = replies[0];
    const form = first?.kind === 'form' ? first.form : undefined;
    expect(form?.fields.find((f) => f.id === 'comment')).toMatchObject({ required: true });
    expect(JSON.parse(form!.metadata)).toEqual({ r: 'nov', c: 'code-ready', a: 'not-met' });
    expect((await recordOf(store, 'nov')).audit).toHaveLength(entries);
  });

  it("refuses someone else's press privately and audits it as the typed answer would be", async () => {
    expect(text(await answer('mallory', 'met'))).toContain('Not allowed: Criterion 1 (code-ready) is owned by @teams:dan (role DCC)');
    expect((await recordOf(store, 'nov')).audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: 'teams:mallory', platform: 'teams' }, command: '/release confirm code-ready met (button)' });
  });

  it('says a button or form it does not know is not one golive knows, and a criterion that is gone is gone', async () => {
    expect(text(await app.act(as('dan'), 'someone:else', 'x'))).toContain('That button is not one golive knows');
    expect(text(await app.act(as('dan'), 'golive:answer:met', '{"r":"nov"}'))).toContain('That button is not one golive knows');
    expect(text(await app.act(as('dan'), 'golive:answer:met', JSON.stringify({ r: 'nov', c: 'gone' })))).toContain('Release "nov" has no criterion "gone" any more');
    expect(text(await app.act(as('dan'), 'golive:answer:met', JSON.stringify({ r: 'other', c: 'gone' })))).toContain('There is no release "other"');
    expect(text(await app.submit(as('dan'), 'not-ours', '{}', {}))).toContain('That form is not one golive knows');
  });

  it('records a submitted form as the answer, and says what is wrong with one that cannot be recorded', async () => {
    const metadata = JSON.stringify({ r: 'nov', c: 'code-ready', a: 'not-met' });
    const refused = await app.submit(as('dan'), ANSWER_FORM, metadata, { evidence: 'not-a-link', comment: '' });
    expect(text(refused)).toContain('Nothing was recorded: evidence: Not an http(s) link: not-a-link comment: Say why');
    expect((await store.get('nov'))!.release.criteria[0]!.responses).toEqual([]);

    const recorded = await app.submit(as('dan'), ANSWER_FORM, metadata, { evidence: 'https://ci.example.org/1', comment: 'Build is red' });
    expect(text(recorded)).toContain('Recorded: criterion 1 (code-ready) not met');
    expect((await store.get('nov'))!.release.criteria[0]!.responses).toEqual([expect.objectContaining({ answer: 'not-met', comment: 'Build is red', by: 'teams:dan', platform: 'teams' })]);
    expect((await recordOf(store, 'nov')).audit.at(-1)).toMatchObject({ outcome: 'applied', command: '/release confirm code-ready not-met "Build is red" --evidence https://ci.example.org/1 (form)' });
  });
});
