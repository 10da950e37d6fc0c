// A thousand releases made from two templates hold the templates' texts (criteria, descriptions,
// questions) a thousand times over: each state file is parsed into strings of its own. Sharing
// equal strings while the store opens keeps one copy of each (5.8 of the 6.5 million characters of
// the benchmark's seeded states are such repeats). So do the short ones people and criteria are
// known by: "console:mia0" or "outcome-ask", each in thousands of answers and roles (2.6 MB of the
// seeded store's 44 MB heap were such copies). Strings are immutable, so sharing changes no value.

/** The shortest strings are left alone: a copy of one costs little more than looking it up. */
const MIN_LENGTH = 6;

/**
 * Equal strings met while opening one store, each kept once. Made for one open and dropped
 * after it, so nothing is held beyond what the releases themselves hold.
 */
export class StringShare {
  private readonly seen = new Map<string, string>();

  /** Replaces, in place, every string (but the shortest) in `value` (objects and arrays, at any depth) by the first equal one met. */
  shareIn(value: unknown): void {
    if (Array.isArray(value)) {
      for (let at = 0; at < value.length; at++) {
        const item: unknown = value[at];
        if (typeof item === 'string') value[at] = this.share(item);
        else if (typeof item === 'object' && item !== null) this.shareIn(item);
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'string') record[key] = this.share(item);
      else if (typeof item === 'object' && item !== null) this.shareIn(item);
    }
  }

  private share(text: string): string {
    if (text.length < MIN_LENGTH) return text;
    const known = this.seen.get(text);
    if (known !== undefined) return known;
    this.seen.set(text, text);
    return text;
  }
}
