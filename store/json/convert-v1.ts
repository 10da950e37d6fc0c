import { ReleaseDocument } from '../release-document.js';
import { StoreError } from '../../src/app/store-port.js';
import { entryLine } from './audit-log.js';
import { outboxLine } from './outbox-log.js';
import { isCode, reasonOf, type ReleaseFs } from './release-fs.js';
import type { ReleasePaths } from './release-paths.js';
import { stateFileOf, stateText } from './state-file.js';

/**
 * Moves a version-1 document (`<id>.json`: release, whole audit chain, outbox, tally in one file)
 * into the append-only layout, if there is one. The new files are written as a create writes
 * them (next state, outbox, log, then the rename that makes the state), each entry as its
 * canonical JSON, so the chain is the same bytes and verifies as before; only once the state file
 * is on disk is the old document renamed `<id>.v1.json.bak`. Interrupted, it starts over from the
 * old document, which is untouched until the end; found with the state file already there, only
 * the rename is left to do. A document that does not parse or validate rejects with a StoreError
 * naming it, and nothing is written.
 */
export async function convertV1(paths: ReleasePaths, fs: ReleaseFs, log: (message: string) => void): Promise<void> {
  const text = await readIfThere(fs, paths.v1);
  if (text === undefined) return;
  if (await exists(fs, paths.state)) {
    if (await exists(fs, paths.v1Backup)) {
      throw new StoreError(
        `${paths.v1}: release "${paths.id}" was converted already and ${paths.v1Backup} exists too; golive will not start until one of the two old documents is moved away`,
        paths.v1,
      );
    }
    await fs.rename(paths.v1, paths.v1Backup);
    await fs.syncFolder(paths.folder);
    log(`${paths.v1}: renamed ${paths.v1Backup}, which a conversion interrupted at its last step had not done yet`);
    return;
  }
  const doc = parseDocument(text, paths.v1);
  if (doc.release.id !== paths.id) throw new StoreError(`${paths.v1}: holds release "${doc.release.id}", but its file name says "${paths.id}"`, paths.v1);

  for (const leftover of [paths.next, paths.audit, paths.outbox]) {
    if (!(await exists(fs, leftover))) continue;
    await fs.unlink(leftover);
    log(`${leftover}: removed, left by a conversion of ${paths.v1} that never completed; converting again`);
  }
  const head = doc.audit[doc.audit.length - 1];
  const state = stateFileOf({ release: doc.release, ...(head && { head }), ...(doc.refusals && { refusals: doc.refusals }) }, 1);
  await fs.create(paths.next, stateText(state));
  await fs.create(paths.outbox, doc.outbox.length > 0 ? outboxLine(state.revision, doc.outbox) : '');
  await fs.create(paths.audit, doc.audit.map(entryLine).join(''));
  await fs.syncFolder(paths.folder);
  await fs.rename(paths.next, paths.state);
  await fs.syncFolder(paths.folder);
  await fs.rename(paths.v1, paths.v1Backup);
  await fs.syncFolder(paths.folder);
  log(`${paths.v1}: converted to the append-only layout (${doc.audit.length} audit entries in ${paths.audit}); the old document is kept as ${paths.v1Backup}`);
}

function parseDocument(text: string, file: string): ReleaseDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreError(`${file}: is not valid JSON (${reasonOf(error)})`, file);
  }
  const parsed = ReleaseDocument.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new StoreError(`${file}: is not a release document (${where}${issue?.message ?? 'invalid'})`, file);
}

async function readIfThere(fs: ReleaseFs, file: string): Promise<string | undefined> {
  try {
    return (await fs.read(file)).toString('utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
  }
}

export async function exists(fs: ReleaseFs, file: string): Promise<boolean> {
  try {
    await fs.size(file);
    return true;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false;
    throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
  }
}
