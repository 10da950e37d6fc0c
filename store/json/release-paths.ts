import { join } from 'node:path';
import { StoreError } from '../../src/app/store-port.js';
import { SLUG_PATTERN } from '../../src/domain/primitives.js';

/** The files of one release in the releases folder (see release-files.ts for what each holds). */
export interface ReleasePaths {
  folder: string;
  id: string;
  state: string;
  next: string;
  audit: string;
  outbox: string;
  /** The version-1 document, and where it goes once converted. */
  v1: string;
  v1Backup: string;
}

export const STATE_SUFFIX = '.state.json';
export const NEXT_SUFFIX = '.state.next.json';
export const AUDIT_SUFFIX = '.audit.jsonl';
export const OUTBOX_SUFFIX = '.outbox.jsonl';
export const V1_SUFFIX = '.json';
export const V1_BACKUP_SUFFIX = '.v1.json.bak';
const TEMP_SUFFIX = '.tmp';

export function releasePaths(folder: string, id: string): ReleasePaths {
  // Defence in depth: whatever validated the id before, only a slug becomes a path.
  if (!SLUG_PATTERN.test(id)) throw new StoreError(`"${id}" is not a valid release id`);
  const at = (suffix: string) => join(folder, `${id}${suffix}`);
  return {
    folder,
    id,
    state: at(STATE_SUFFIX),
    next: at(NEXT_SUFFIX),
    audit: at(AUDIT_SUFFIX),
    outbox: at(OUTBOX_SUFFIX),
    v1: at(V1_SUFFIX),
    v1Backup: at(V1_BACKUP_SUFFIX),
  };
}

/** A temp file for rewriting `path` whole: hidden, unique, and recognisably this release's. */
export function tempPathFor(folder: string, id: string, what: string, unique: string): string {
  return join(folder, `.${id}.${what}.${unique}${TEMP_SUFFIX}`);
}

/** Temp files of release `id` left by a rewrite that never finished. */
export function isTempOf(name: string, id: string): boolean {
  return name.startsWith(`.${id}.`) && name.endsWith(TEMP_SUFFIX);
}

export interface FolderScan {
  /** Releases with files of the append-only layout, or a version-1 document to convert. */
  ids: string[];
  /** Names that are neither (reported, never touched). */
  strays: string[];
  /** Temp files left by rewrites that never finished (each release removes its own when opened). */
  temps: string[];
  /** Every name in the folder, as listed. */
  names: string[];
}

// Longest first, so "x.state.next.json" is not read as release "x.state.next" in version 1.
const SUFFIXES = [NEXT_SUFFIX, STATE_SUFFIX, V1_BACKUP_SUFFIX, AUDIT_SUFFIX, OUTBOX_SUFFIX, V1_SUFFIX];

/** Sorts the names in a releases folder into release ids (each once, sorted), strays and temp files. */
export function scanNames(names: readonly string[]): FolderScan {
  const ids = new Set<string>();
  const strays: string[] = [];
  const temps: string[] = [];
  for (const name of names) {
    if (name.startsWith('.') && name.endsWith(TEMP_SUFFIX)) {
      temps.push(name);
      continue;
    }
    const suffix = SUFFIXES.find((s) => name.endsWith(s));
    const id = suffix === undefined ? undefined : name.slice(0, -suffix.length);
    // A backup alone is history, not a release.
    if (id === undefined || !SLUG_PATTERN.test(id)) strays.push(name);
    else if (suffix !== V1_BACKUP_SUFFIX) ids.add(id);
  }
  return { ids: [...ids].sort(), strays, temps, names: [...names] };
}
