import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../src/domain/audit.js';
import { ReleaseDocument } from '../../store/release-document.js';

// A release as the JSON store keeps it on disk (store/json/release-files.ts: <id>.state.json,
// <id>.audit.jsonl, <id>.outbox.jsonl), read and written as someone with the data folder would,
// for tests that look at or change the files themselves. Read back as one record, the shape
// golive's version-1 document had, so a test can edit it as a whole.

export type RawRecord = any;

export interface ReleaseFileNames {
  state: string;
  audit: string;
  outbox: string;
}

/** The files of release `id` in the data folder `dir`. */
export function releaseFiles(dir: string, id: string): ReleaseFileNames {
  const at = (suffix: string) => join(dir, 'releases', `${id}${suffix}`);
  return { state: at('.state.json'), audit: at('.audit.jsonl'), outbox: at('.outbox.jsonl') };
}

/** Every byte of the release's files, to show that nothing touched them. */
export async function releaseBytes(dir: string, id: string): Promise<Buffer> {
  const files = releaseFiles(dir, id);
  return Buffer.concat([await readFile(files.state), Buffer.from('\0'), await readFile(files.audit), Buffer.from('\0'), await readFile(files.outbox)]);
}

/** The release's record as its files hold it, unvalidated: state, every audit line, each message's newest version. */
export async function readRaw(dir: string, id: string): Promise<RawRecord> {
  const files = releaseFiles(dir, id);
  const state = JSON.parse(await readFile(files.state, 'utf8'));
  const audit = lines(await readFile(files.audit, 'utf8'));
  const outbox = new Map<string, unknown>();
  for (const line of lines(await readFile(files.outbox, 'utf8'))) for (const message of line.messages) outbox.set(message.id, message);
  return { version: 1, release: state.release, audit, outbox: [...outbox.values()], ...(state.refusals !== undefined && { refusals: state.refusals }) };
}

/** The release's record, validated as the version-1 document it would have been. */
export async function readRecord(dir: string, id: string): Promise<ReleaseDocument> {
  return ReleaseDocument.parse(await readRaw(dir, id));
}

/**
 * Writes `record` into the release's files as someone with disk access would, consistently:
 * the state file's head is the last audit line, so the files fit together and only the chain's
 * verification can tell. Returns the bytes now on disk (as releaseBytes).
 */
export async function writeRaw(dir: string, id: string, record: RawRecord, options: { auditText?: string } = {}): Promise<Buffer> {
  const files = releaseFiles(dir, id);
  const old = JSON.parse(await readFile(files.state, 'utf8'));
  const head = record.audit.at(-1);
  const state = { version: old.version, revision: old.revision, release: record.release, ...(head !== undefined && { head }), ...(record.refusals !== undefined && { refusals: record.refusals }) };
  await writeFile(files.state, `${JSON.stringify(state, null, 2)}\n`);
  await writeFile(files.audit, options.auditText ?? record.audit.map((entry: unknown) => `${canonicalJson(entry)}\n`).join(''));
  await writeFile(files.outbox, record.outbox.length > 0 ? `${JSON.stringify({ revision: old.revision, messages: record.outbox })}\n` : '');
  return releaseBytes(dir, id);
}

function lines(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

/** Every byte of the release's files as text, to show that nothing touched them. */
export async function releaseText(dir: string, id: string): Promise<string> {
  return (await releaseBytes(dir, id)).toString('utf8');
}

/** The names of a release's files in the releases folder, sorted. */
export function layoutOf(...ids: string[]): string[] {
  return ids.flatMap((id) => [`${id}.audit.jsonl`, `${id}.outbox.jsonl`, `${id}.state.json`]).sort();
}

/** Rewrites the release's audit log line by line, as someone editing the file would; the state file is left as it is. Returns every byte of the release's files. */
export async function editAuditLines(dir: string, id: string, edit: (lines: string[]) => string[]): Promise<Buffer> {
  const file = releaseFiles(dir, id).audit;
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.length > 0);
  await writeFile(
    file,
    edit(lines)
      .map((line) => `${line}\n`)
      .join(''),
  );
  return releaseBytes(dir, id);
}
