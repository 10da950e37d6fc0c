import { stripControls } from '../../src/domain/control-chars.js';
import type { MentionEntity } from './card-types.js';

// People in a card. Ids in the record are platform-qualified (`teams:29:abc`, `slack:U123`,
// `console:alice`); older records hold bare ids, which are shown as names. Only a Teams person can
// be mentioned on Teams; everyone else is written as text.

export type NameOf = (personId: string) => string | undefined;

/** What a person span becomes: a Teams mention, or text to show. */
export type Person = { kind: 'mention'; personId: string; tag: string } | { kind: 'text'; text: string };

const PLATFORM = /^(teams|slack|console):(.+)$/s;

/** Inside `<at>…</at>` a name must not hold markup, brackets or markdown: anything else becomes a space. */
function cleanName(name: string): string {
  return stripControls(name)
    .replace(/[^\p{L}\p{M}\p{N} .,'’()\-:]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 64)
    .trim();
}

/**
 * Resolves people for one card and remembers whom it mentions. Each Teams person gets one mention
 * text for the whole card; two people with the same display name get distinct texts, as Teams
 * matches a mention to its entity by the text alone.
 */
export class People {
  private readonly entities = new Map<string, MentionEntity>();
  private readonly taken = new Set<string>();

  /** `mention: false` writes Teams people as text too, where a mention would not ping (a form). */
  constructor(
    private readonly names?: NameOf,
    private readonly mentions = true,
  ) {}

  person(id: string): Person {
    const match = PLATFORM.exec(id);
    const name = this.names?.(id);
    if (!match) return { kind: 'text', text: `@${name ?? id}` };
    const [, platform, raw = ''] = match;
    if (platform === 'teams') return this.mentions ? { kind: 'mention', personId: id, tag: this.mention(id, raw, name).text } : { kind: 'text', text: `@${name ?? raw}` };
    if (name !== undefined) return { kind: 'text', text: `@${name}` };
    return { kind: 'text', text: platform === 'console' ? `@${raw}` : id };
  }

  /** The entities for these people, in the order given, each once. */
  entitiesFor(personIds: Iterable<string>): MentionEntity[] {
    const seen = new Set<string>();
    const out: MentionEntity[] = [];
    for (const id of personIds) {
      const entity = this.entities.get(id);
      if (entity && !seen.has(id)) {
        seen.add(id);
        out.push(entity);
      }
    }
    return out;
  }

  private mention(personId: string, teamsId: string, name: string | undefined): MentionEntity {
    const known = this.entities.get(personId);
    if (known) return known;
    const base = cleanName(name ?? '') || cleanName(teamsId) || 'someone';
    let shown = base;
    for (let n = 2; this.taken.has(shown); n++) shown = `${base} (${n})`;
    this.taken.add(shown);
    const entity: MentionEntity = { type: 'mention', text: `<at>${shown}</at>`, mentioned: { id: teamsId, name: shown } };
    this.entities.set(personId, entity);
    return entity;
  }
}
