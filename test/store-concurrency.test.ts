import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../src/domain/release.js';
import { ChannelTakenError, StoreError } from '../src/app/store-port.js';
import { renderText } from '../adapters/console/render-text.js';
import { Harness } from './support/golive.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { minimalRelease, minimalReleaseDocument } from './fixtures/release-doc.js';
import { createRelease, editRelease } from './support/store-records.js';
import { qualify } from '../src/domain/person-id.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const room = (id: string): Channel => ({ platform: 'console', id });

/** What `user` sees after typing `text` in `channel`. */
async function say(text: string, channel = room('general'), user = 'rita'): Promise<string> {
  const result = await h!.app.handle({ actor: { id: qualify('console', user), platform: 'console' }, channel, text });
  return result.replies.map((reply) => (reply.kind === 'view' ? renderText(reply.view) : reply.kind === 'file' ? reply.content : '')).join('\n');
}

// The state file a write rewrites; its audit log and outbox are only appended to.
const releaseFile = (id: string) => join(h!.dir, 'releases', `${id}.state.json`);
const layout = (id: string) => [`${id}.audit.jsonl`, `${id}.outbox.jsonl`, `${id}.state.json`];
const indexFile = () => join(h!.dir, 'index.json');
const changedOnDisk = (file: string) =>
  `Nothing was saved: ${file} was changed on disk by something other than this golive since it was loaded; nothing was written. Restart golive to load it again (start-up checks it).`;

// Which releases on disk follow `channel`, read from every state file and from the index.
async function followersOnDisk(channel: Channel): Promise<{ files: string[]; index: string[] }> {
  const follows = (channels: Channel[]) => channels.some((c) => c.platform === channel.platform && c.id === channel.id);
  const files: string[] = [];
  for (const name of (await readdir(join(h!.dir, 'releases'))).sort()) {
    if (!name.endsWith('.state.json')) continue;
    const doc = JSON.parse(await readFile(join(h!.dir, 'releases', name), 'utf8'));
    if (follows(doc.release.channels)) files.push(doc.release.id);
  }
  const index = JSON.parse(await readFile(indexFile(), 'utf8')) as { releases: Array<{ id: string; channels: Channel[] }> };
  return { files, index: index.releases.filter((entry) => follows(entry.channels)).map((entry) => entry.id) };
}

describe('a write refuses a file something else changed since golive last wrote it', () => {
  async function withRelease(): Promise<string> {
    h = await Harness.open();
    expect(await say('/release create "Nov" 2019-11-29 --id nov')).toContain('(nov) created from template');
    expect(await say('/release role DCC dan')).toContain('Role DCC: @dan');
    return releaseFile('nov');
  }

  it('an edited release file: the person is told nothing was saved, and the file keeps its bytes', async () => {
    const file = await withRelease();
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.release.roles.DCC = ['mallory'];
    const edited = JSON.stringify(doc, null, 2);
    await writeFile(file, edited);

    expect(await say('/release role DCC erin')).toContain(changedOnDisk(file));
    expect(await readFile(file, 'utf8')).toBe(edited);
    expect((await h!.store.get('nov'))!.release.roles.DCC).toEqual(['console:dan']);
    expect(await readdir(join(h!.dir, 'releases'))).toEqual(layout('nov'));
  });

  it('an edit that keeps the size of the file', async () => {
    const file = await withRelease();
    const before = await readFile(file, 'utf8');
    const edited = before.replace('"console:dan"', '"console:dax"');
    expect(edited).not.toBe(before);
    expect(edited.length).toBe(before.length);
    await writeFile(file, edited);

    expect(await say('/release role DCC erin')).toContain(changedOnDisk(file));
    expect(await readFile(file, 'utf8')).toBe(edited);
  });

  it('a release file replaced by another, as a second golive writing it would', async () => {
    const file = await withRelease();
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.release.name = 'Nov (from another golive)';
    const replacement = join(h!.dir, 'replacement.json');
    await writeFile(replacement, JSON.stringify(doc, null, 2));
    await rename(replacement, file);
    const bytes = await readFile(file);

    expect(await say('/release role DCC erin')).toContain(changedOnDisk(file));
    expect(await readFile(file)).toEqual(bytes);
  });

  it('a deleted release file is not written back', async () => {
    const file = await withRelease();
    await rm(file);
    expect(await say('/release role DCC erin')).toContain(changedOnDisk(file));
    expect(await readdir(join(h!.dir, 'releases'))).toEqual(['nov.audit.jsonl', 'nov.outbox.jsonl']);
  });

  it('after a restart the edited file is loaded, found not to match its record, and kept read-only', async () => {
    const file = await withRelease();
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.release.roles.DCC = ['mallory'];
    await writeFile(file, JSON.stringify(doc, null, 2));
    expect(await say('/release role DCC erin')).toContain('Nothing was saved');

    const dir = h!.dir;
    await h!.close(false);
    const edited = await readFile(file, 'utf8');
    h = await Harness.open(undefined, dir);
    expect((await h.store.get('nov'))!.release.roles.DCC).toEqual(['mallory']);
    expect(await say('/release role DCC erin')).toContain('fails verification at entry');
    expect(await readFile(file, 'utf8')).toBe(edited);
  });

  it('an edited index.json: a create is refused before it writes anything', async () => {
    h = await Harness.open();
    await say('/release create "Nov" 2019-11-29 --id nov', room('nov-room'));
    const index = JSON.parse(await readFile(indexFile(), 'utf8'));
    index.releases[0].name = 'Renamed by hand';
    const edited = JSON.stringify(index, null, 2);
    await writeFile(indexFile(), edited);

    expect(await say('/release create "Dec" 2019-12-13 --id dec', room('dec-room'))).toContain(changedOnDisk(indexFile()));
    expect(await readFile(indexFile(), 'utf8')).toBe(edited);
    expect(await readdir(join(h.dir, 'releases'))).toEqual(layout('nov'));
    expect((await h.store.list()).map((summary) => summary.id)).toEqual(['nov']);
  });

  it('an edited index.json: a link is refused, and the release file is left as it was', async () => {
    h = await Harness.open();
    await say('/release create "Nov" 2019-11-29 --id nov', room('nov-room'));
    const release = await readFile(releaseFile('nov'), 'utf8');
    const edited = (await readFile(indexFile(), 'utf8')).replace('"Nov"', '"Nov!"');
    await writeFile(indexFile(), edited);

    expect(await say('/release link --release nov', room('other-room'))).toContain(changedOnDisk(indexFile()));
    expect(await readFile(indexFile(), 'utf8')).toBe(edited);
    expect(await readFile(releaseFile('nov'), 'utf8')).toBe(release);
    expect(await h.store.findByChannel(room('other-room'))).toBeUndefined();
  });
});

describe('one channel follows at most one release, checked inside the write', () => {
  it('of several creates fired together in one channel, exactly one succeeds; the others are told which release the channel follows', async () => {
    h = await Harness.open();
    const ids = ['alpha', 'bravo', 'charlie', 'delta'];
    const replies = await Promise.all(ids.map((id) => say(`/release create "${id}" 2019-11-29 --id ${id}`, room('war-room'))));

    const created = ids.filter((_, at) => replies[at]!.includes('created from template'));
    expect(created).toHaveLength(1);
    const winner = created[0]!;
    for (const [at, reply] of replies.entries()) {
      if (ids[at] === winner) continue;
      expect(reply).toContain(`This channel already follows release "${winner}". Create the new release in its own channel`);
      expect(reply).not.toContain('Nothing was saved');
    }
    expect(await followersOnDisk(room('war-room'))).toEqual({ files: [winner], index: [winner] });
    expect(await readdir(join(h.dir, 'releases'))).toEqual(layout(winner));
    expect((await h.store.list()).map((summary) => summary.id)).toEqual([winner]);
  });

  it('a link racing a create for one channel: exactly one of them links it', async () => {
    h = await Harness.open();
    await say('/release create "Alpha" 2019-11-29 --id alpha', room('alpha-room'));
    const [created, linked] = await Promise.all([say('/release create "Bravo" 2019-11-29 --id bravo', room('shared')), say('/release link --release alpha', room('shared'))]);

    const createWon = created.includes('created from template');
    const linkWon = linked.includes('This channel now follows Alpha');
    expect([createWon, linkWon].filter(Boolean)).toHaveLength(1);
    if (createWon) expect(linked).toContain('This channel already follows release "bravo".');
    else expect(created).toContain('This channel already follows release "alpha".');
    const winner = createWon ? 'bravo' : 'alpha';
    expect(await followersOnDisk(room('shared'))).toEqual({ files: [winner], index: [winner] });
    // The refused side recorded nothing: no audit entry for a link that did not happen.
    if (createWon) expect(await h.store.audit('alpha')).toHaveLength(1);
  });

  it('two links racing for one channel: exactly one of them links it', async () => {
    h = await Harness.open();
    await say('/release create "Alpha" 2019-11-29 --id alpha', room('alpha-room'));
    await say('/release create "Bravo" 2019-11-29 --id bravo', room('bravo-room'));
    const replies = await Promise.all(['alpha', 'bravo'].map((id) => say(`/release link --release ${id}`, room('shared'))));

    expect(replies.filter((reply) => reply.includes('This channel now follows'))).toHaveLength(1);
    const winner = replies[0]!.includes('This channel now follows') ? 'alpha' : 'bravo';
    expect(replies.join('\n')).toContain(`This channel already follows release "${winner}".`);
    expect(await followersOnDisk(room('shared'))).toEqual({ files: [winner], index: [winner] });
  });
});

describe('the store refuses a second release for a channel', () => {
  it('in create and in transact, with ChannelTakenError naming the release that has it', async () => {
    h = await Harness.open();
    const store = h.store;
    const shared = room('shared');
    const [first, second] = await Promise.allSettled([createRelease(store, minimalRelease('rel-1', { channels: [shared] })), createRelease(store, minimalRelease('rel-2', { channels: [shared] }))]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const refused = (second as PromiseRejectedResult).reason as ChannelTakenError;
    expect(refused).toBeInstanceOf(ChannelTakenError);
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused.releaseId).toBe('rel-1');
    expect(refused.message).toBe('channel console:shared already follows release "rel-1"');
    expect(await store.get('rel-2')).toBeUndefined();

    await createRelease(store, minimalRelease('rel-3'));
    const before = await readFile(releaseFile('rel-3'), 'utf8');
    await expect(editRelease(store, 'rel-3', (release) => (release.channels = [shared]))).rejects.toThrow(ChannelTakenError);
    expect(await readFile(releaseFile('rel-3'), 'utf8')).toBe(before);

    // Once the channel is free again, it can be taken: the refusal left no claim behind.
    await editRelease(store, 'rel-1', (release) => (release.channels = []));
    await editRelease(store, 'rel-3', (release) => (release.channels = [shared]));
    expect(await store.findByChannel(shared)).toBe('rel-3');
  });

  it('still writes releases that shared a channel before this rule, as long as a write adds no such channel', async () => {
    h = await Harness.open();
    const dir = h.dir;
    await h.close(false);
    const shared = room('shared');
    await mkdir(join(dir, 'releases'), { recursive: true });
    for (const id of ['old-1', 'old-2']) {
      await writeFile(join(dir, 'releases', `${id}.json`), JSON.stringify(minimalReleaseDocument(id, { release: { channels: [shared] } })));
    }
    // The store alone: these hand-written files carry no audit record for start-up to verify.
    const store = await openLowdbStore(dir);
    try {
      await editRelease(store, 'old-2', (release) => (release.name = 'Renamed'));
      expect((await store.get('old-2'))?.release).toMatchObject({ name: 'Renamed', channels: [shared] });
    } finally {
      await store.close();
    }
  });
});
