import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

// Checks a card against Adaptive Cards 1.5 with Microsoft's own object model (the `adaptivecards`
// package, the renderer behind the official designer), made strict in four ways:
//  1. parsed for target version 1.5: an element, action or property newer than 1.5, an unknown
//     type or an invalid enum value is logged as a parse event, and any event fails;
//  2. `validateProperties()`: duplicate ids, too many actions, required inputs without a label or
//     an error message, and the rest of its checks, fail;
//  3. serialised back for 1.5 and compared with the card: the object model silently drops what it
//     does not know (a misspelt or unknown property, a value of the wrong type, an empty list), so
//     any difference fails, and is reported by its path;
//  4. the `required` lists of the official 1.5 JSON schema (schemas/1.5.0/adaptive-card.json),
//     which the object model does not enforce, and the top-level card's type and version.
// Teams' `msteams` extension is not part of the schema: it is taken off before those checks and
// checked on its own (full width; mention entities, each matching an `<at>…</at>` in a TextBlock).

const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

const REQUIRED: Record<string, readonly string[]> = {
  TextBlock: ['text'],
  RichTextBlock: ['inlines'],
  TextRun: ['text'],
  Container: ['items'],
  ActionSet: ['actions'],
  FactSet: ['facts'],
  Image: ['url'],
  'Action.OpenUrl': ['url'],
  'Action.ShowCard': ['card'],
  'Input.Text': ['id'],
};

const MentionEntity = z
  .object({
    type: z.literal('mention'),
    text: z.string().regex(/^<at>[^<>]+<\/at>$/),
    mentioned: z.object({ id: z.string().min(1), name: z.string().min(1) }).strict(),
  })
  .strict();
const MsTeams = z.object({ width: z.literal('Full').optional(), entities: z.array(MentionEntity).optional() }).strict();

type Json = unknown;

/** Every problem found; an empty list means the card is valid. */
export function cardProblems(card: object): string[] {
  const problems: string[] = [];
  const { msteams, ...content } = structuredClone(card) as Record<string, Json>;
  if (content.type !== 'AdaptiveCard') problems.push(`type is ${JSON.stringify(content.type)}, not "AdaptiveCard"`);
  if (content.version !== '1.5') problems.push(`version is ${JSON.stringify(content.version)}, not "1.5"`);

  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  parsed.parse(content, context);
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of parsed.validateProperties().validationEvents) problems.push(`validate: ${AC.ValidationEvent[event.event]}: ${event.message}`);
  const again = parsed.toJSON(new AC.SerializationContext(AC.Versions.v1_5));
  const difference = firstDifference(content, again, '');
  if (difference) problems.push(`not kept by the 1.5 object model: ${difference}`);
  walk(content, '', (node, path) => {
    for (const key of REQUIRED[String(node.type)] ?? []) if (!(key in node)) problems.push(`${path}: ${String(node.type)} needs "${key}"`);
  });

  if (msteams !== undefined) {
    const teams = MsTeams.safeParse(msteams);
    if (!teams.success) problems.push(`msteams: ${teams.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    else problems.push(...mentionProblems(content, teams.data.entities ?? []));
  }
  return problems;
}

/** Each entity's text is in a TextBlock, and each `<at>…</at>` in a TextBlock has an entity. */
function mentionProblems(content: Json, entities: ReadonlyArray<z.infer<typeof MentionEntity>>): string[] {
  const problems: string[] = [];
  const tags = new Set<string>();
  walk(content, '', (node) => {
    if (node.type === 'TextBlock' && typeof node.text === 'string') for (const tag of node.text.match(/<at>.*?<\/at>/g) ?? []) tags.add(tag);
  });
  const texts = new Set(entities.map((e) => e.text));
  for (const text of texts) if (!tags.has(text)) problems.push(`msteams: entity ${text} is not in any TextBlock`);
  for (const tag of tags) if (!texts.has(tag)) problems.push(`msteams: ${tag} has no entity`);
  if (texts.size !== entities.length) problems.push('msteams: an entity is listed twice');
  return problems;
}

function walk(node: Json, path: string, visit: (node: Record<string, Json>, path: string) => void): void {
  if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
  else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, Json>;
    if (typeof record.type === 'string') visit(record, path || '(card)');
    for (const [key, value] of Object.entries(record)) walk(value, `${path}.${key}`, visit);
  }
}

function firstDifference(a: Json, b: Json, path: string): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path || '(card)'}: ${JSON.stringify(a)?.slice(0, 80)} came back as ${JSON.stringify(b)?.slice(0, 80)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference((a as Record<string, Json>)[key], (b as Record<string, Json>)[key], Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`);
    if (found) return found;
  }
  return `${path}: differs`;
}
