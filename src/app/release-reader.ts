import type { Release } from '../domain/release.js';
import { deepFreeze } from '../domain/deep-freeze.js';
import { RELEASES_PER_READ, type Store, type StoredRelease } from './store-port.js';

/**
 * Every release whose record verifies, read again only when its record has an entry after the one
 * last read (every change to a release seals one): a timer that looks at every release each minute
 * must not read them all each time. What it returns is frozen: callers only read it.
 */
export class TrustedReleaseReader {
  private readonly known = new Map<string, { seq: number; release: Release }>();

  constructor(private readonly store: Store) {}

  async all(): Promise<Release[]> {
    const trusted: string[] = [];
    const stale: string[] = [];
    const heads = await this.store.heads?.();
    for (const { id } of await this.store.list()) {
      const head = heads?.get(id);
      // One that fails verification asks nothing of anybody.
      if (head?.quarantined ?? (await this.store.quarantine(id))) continue;
      trusted.push(id);
      const known = this.known.get(id);
      if (!known || !(head ? head.seq === known.seq : await unchangedSince(this.store, id, known.seq))) stale.push(id);
    }
    for (let i = 0; i < stale.length; i += RELEASES_PER_READ) {
      const ids = stale.slice(i, i + RELEASES_PER_READ);
      const read = await this.read(ids);
      ids.forEach((id, n) => {
        const stored = read[n];
        if (stored) this.known.set(id, { seq: stored.head?.seq ?? 0, release: stored.release });
        else this.known.delete(id);
      });
    }
    const listed = new Set(trusted);
    for (const id of this.known.keys()) if (!listed.has(id)) this.known.delete(id);
    return trusted.flatMap((id) => this.known.get(id)?.release ?? []);
  }

  /**
   * Frozen, which lets evaluate() remember each release's evaluation: a store's shared copy where
   * it reads one at a time, or the copies of one read of many (the first pass after start reads
   * every release), frozen here as nobody else holds them.
   */
  private async read(ids: readonly string[]): Promise<Array<StoredRelease | undefined>> {
    if (this.store.getMany && !(ids.length === 1 && this.store.shared)) {
      return (await this.store.getMany(ids)).map((stored) => stored && { ...stored, release: deepFreeze(stored.release) });
    }
    const read: Array<StoredRelease | undefined> = [];
    for (const id of ids) {
      const stored = this.store.shared ? await this.store.shared(id) : await this.store.get(id);
      read.push(stored && { ...stored, release: deepFreeze(stored.release) });
    }
    return read;
  }
}

/** Whether release `id` has no entry after `seq`, asked of its log. */
export async function unchangedSince(store: Store, id: string, seq: number): Promise<boolean> {
  return (await store.audit(id, { fromSeq: seq + 1, toSeq: seq + 1 })).length === 0;
}
