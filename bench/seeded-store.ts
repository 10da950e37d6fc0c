import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sealEntry, stateHashOf } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import type { ReleaseDocument } from '../store/release-document.js';
import type { Channel } from '../src/domain/release.js';

/**
 * Writes `count` copies of real release records (made through the app) under new ids, copy n
 * taken from `templates[n % templates.length]` (or `templates(n)`), each with its chain sealed again so every copy
 * verifies as its own: a store of long-lived releases without waiting for thousands of fsynced
 * writes. `channelsOf` links copy n to its channels. Names keep the template's ("Release 7: Payments API 2027.4").
 */
export async function writeCopies(
  root: string,
  templates: ReleaseDocument | readonly ReleaseDocument[] | ((n: number) => ReleaseDocument),
  count: number,
  key?: string,
  channelsOf: (n: number) => Channel[] = () => [],
): Promise<void> {
  const templateOf = (n: number): ReleaseDocument => {
    if (typeof templates === 'function') return templates(n);
    const list: readonly ReleaseDocument[] = Array.isArray(templates) ? templates : [templates];
    return list[n % list.length]!;
  };
  await mkdir(join(root, 'releases'), { recursive: true });
  const index = [];
  for (let n = 0; n < count; n++) {
    const template = templateOf(n);
    const id = `rel-${n}`;
    const release = { ...structuredClone(template.release), id, name: `Release ${n}: ${template.release.name}`, channels: channelsOf(n) };
    const audit: AuditEntry[] = [];
    template.audit.forEach((entry, at) => {
      const last = at === template.audit.length - 1;
      const { seq: _s, prevHash: _p, hash: _h, keyed: _k, ...content } = entry;
      audit.push(sealEntry(audit, { ...content, ...(last && { stateHash: stateHashOf(release) }) }, key));
    });
    const doc = { version: template.version, release, audit, outbox: [] };
    await writeFile(join(root, 'releases', `${id}.json`), JSON.stringify(doc));
    index.push({ id, name: release.name, channels: release.channels });
  }
  await writeFile(join(root, 'index.json'), JSON.stringify({ version: 1, releases: index }, null, 2));
}
