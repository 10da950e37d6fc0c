import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReleaseDocument } from '../../store/release-document.js';

/**
 * Writes release documents into a JSON store's data folder as version-1 files (<id>.json), with an
 * index listing them in the order given: records as an older golive (or someone with the folder)
 * left them, whole chains included, which the Store port cannot create; the store converts them
 * to its append-only layout at open. Each is validated first, as the store would.
 */
export async function writeReleaseFiles(dir: string, docs: readonly ReleaseDocument[]): Promise<void> {
  await mkdir(join(dir, 'releases'), { recursive: true });
  for (const doc of docs) await writeFile(join(dir, 'releases', `${doc.release.id}.json`), JSON.stringify(ReleaseDocument.parse(doc), null, 2));
  const releases = docs.map(({ release }) => ({ id: release.id, name: release.name, channels: release.channels.map(({ platform, id }) => ({ platform, id })) }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ version: 1, releases }, null, 2));
}
