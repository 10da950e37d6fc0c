import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderText } from '../adapters/console/render-text.js';
import type { Reply } from '../src/app/request.js';
import { Harness } from './support/golive.js';

// Linking one person's identities on two platforms, through the app's one entry point: the
// console's own people, and a Slack person as the Slack adapter hands them to the app.

const SETUP = ['/release create "Nov" 2026-12-15 --template sec-release --id nov', '/release role DCC @dan', '/release role SECAS @sam', '/release role Panel @pat'].join('\n');

const text = (replies: Reply[]) => replies.map((r) => (r.kind === 'view' ? renderText(r.view) : '')).join('\n');

describe('whoami and identity links', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const asSlack = async (id: string, line: string) => text((await h!.app.handle({ actor: { id: `slack:${id}`, platform: 'slack' }, channel: { platform: 'slack', id: 'C1' }, text: line })).replies);
  const codeIn = (output: string) => /link code is (\S{4}-\S{4})/.exec(output)?.[1];

  it('lets dan answer his criteria from Slack once his Slack identity is linked, and lists them in his Slack to-do', async () => {
    h = await Harness.openWith(SETUP, '2026-11-30T09:00:00Z');
    expect(await asSlack('UDAN', '/release confirm code-ready met --release nov')).toContain('Not allowed: Criterion 1 (code-ready) is owned by @dan (role DCC)');
    expect(await asSlack('UDAN', '/release todo')).not.toContain('code-ready');

    const issued = await h.as('dan', '/release whoami link');
    const code = codeIn(issued);
    expect(code, issued).toBeDefined();
    expect(issued).toContain('within 10 minutes (until 09:10 UTC)');
    h.clock.set('2026-11-30T09:05:00Z');
    expect(await asSlack('UDAN', `/release whoami link ${code!.toLowerCase()}`)).toContain('Linked: golive now counts');
    expect(await h.as('dan', '/release whoami')).toContain('Linked, and counted as you: @slack:UDAN');

    expect(await asSlack('UDAN', '/release confirm code-ready met "built" --release nov')).toContain('Recorded');
    const response = (await h.onDisk('nov')).release.criteria[0]!.responses.at(-1);
    expect(response).toMatchObject({ answer: 'met', by: 'slack:UDAN', onBehalfOf: 'console:dan', platform: 'slack' });
    expect(await asSlack('UDAN', '/release todo')).toContain('test-phases-closed');

    // The link is on record in its own sealed file; the code is not.
    const record = await readFile(join(h.dir, 'identities.json'), 'utf8');
    const entries = JSON.parse(record).entries as { actor: { id: string }; after?: { linked?: string[] } }[];
    expect(entries.map((e) => e.after?.linked).filter(Boolean)).toEqual([['slack:UDAN', 'console:dan']]);
    expect(entries.map((e) => e.actor.id)).toEqual(['console:dan', 'slack:UDAN']);
    expect(record).not.toContain(code!.replace('-', ''));
  });

  it('keeps separation of duties across linked identities: a manager cannot decide, nor become the approver, from another platform', async () => {
    h = await Harness.openWith(SETUP, '2026-11-30T09:00:00Z');
    const code = codeIn(await asSlack('URITA', '/release whoami link'));
    expect(await h.as('rita', `/release whoami link ${code}`)).toContain('Linked');
    expect(await h.as('rita', '/release role Panel @slack:URITA')).toContain('a release manager cannot give themself the Panel role');
    // A manager's linked identity counts as a manager.
    expect(await asSlack('URITA', '/release facts issues 3 --threshold 30 --release nov')).not.toContain('Not allowed');
  });

  it('refuses a code typed on the platform that gave it, an expired one and a malformed one, clearly', async () => {
    h = await Harness.openWith(SETUP, '2026-11-30T09:00:00Z');
    const code = codeIn(await h.as('dan', '/release whoami link'));
    expect(await h.as('sam', `/release whoami link ${code}`)).toContain('link identities on two different platforms');
    h.clock.set('2026-11-30T09:11:00Z');
    expect(await asSlack('UDAN', `/release whoami link ${code}`)).toContain('expired');
    expect(await asSlack('UDAN', '/release whoami link not-a-code')).toContain('is not a link code');
    expect(await h.as('dan', '/release whoami')).toContain('No identity on another platform is linked to you');
  });
});
