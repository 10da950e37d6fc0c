import type { Command, CommandName } from './commands.js';
import type { CommandRequest } from '../app.js';
import { UserError } from '../request.js';
import { firstControlInName, stripControls } from '../../domain/control-chars.js';
import { isReservedName, reservedNameMessage } from '../../domain/names.js';

// Every command reaches the app as a typed Command, whether it was typed, clicked or sent from a
// form, so the text in it is made safe here, once, before any handler sees it. Each field of each
// command is a name (refused if it holds a control character) unless it is listed as free text
// (control characters removed), so a field added later is held to the stricter rule by default.

type FieldsOf<N extends CommandName> = ReadonlyArray<Exclude<keyof Extract<Command, { name: N }>, 'name'>>;
type PerCommand = { readonly [N in CommandName]?: FieldsOf<N> };

/** What people write sentences in: comments, notes, reasons, descriptions. */
const FREE_TEXT: PerCommand = {
  confirm: ['comment'],
  signoff: ['note'],
  'risk-add': ['text'],
  'risk-mitigate': ['text'],
  'risk-view': ['text'],
  'risk-accept': ['conditions'],
  'switch-add': ['description'],
  'switch-set': ['source'],
  'facts-environment': ['note'],
  date: ['reason'],
  decide: ['note'],
};

/** Names that are looked up or stored as keys: reserved words are refused as well. */
const KEYS: PerCommand = {
  create: ['template', 'id'],
  status: ['release'],
  role: ['role'],
  owner: ['criterion'],
  confirm: ['criterion'],
  group: ['group'],
  signoff: ['group'],
  'risk-view': ['group'],
  'switch-add': ['key'],
  'switch-set': ['key'],
  'facts-phase': ['phase'],
  'facts-update': ['phases'],
};

/** How a field is called in a message. */
const LABELS: Readonly<Record<string, string>> = {
  title: 'release name',
  id: 'release id',
  release: 'release id',
  template: 'template id',
  role: 'role name',
  group: 'group id',
  key: 'switch key',
  phase: 'phase name',
  phases: 'phase name',
  criterion: 'criterion id',
  users: 'person',
  members: 'person',
  delegate: 'person',
  delegates: 'person',
  for: 'person',
  owner: 'person',
  evidence: 'evidence link',
  comment: 'comment',
  note: 'note',
  text: 'text',
  conditions: 'conditions',
  description: 'description',
  source: 'source',
  reason: 'reason',
};

const listed = (table: PerCommand, command: Command, field: string): boolean => ((table[command.name] ?? []) as readonly string[]).includes(field);
const labelOf = (field: string): string => (Object.hasOwn(LABELS, field) ? LABELS[field]! : field);

/** Whether a field of a command is free text (cleaned) rather than a name (checked). */
export const isFreeText = (command: Command, field: string): boolean => listed(FREE_TEXT, command, field);

/**
 * The request with its free text cleaned and its names checked. Throws a UserError (nothing
 * changes, nothing is audited) naming the field and the character when a name holds a control
 * character or is a reserved word.
 */
export function sanitizeRequest(request: CommandRequest): CommandRequest {
  if (request.release !== undefined) checkName(request.release, 'release id', true);
  checkName(request.actor.id, 'user id', false);
  if (request.channel) checkName(request.channel.id, 'channel id', false);
  return { ...request, command: sanitizeCommand(request.command), text: stripControls(request.text) };
}

export function sanitizeCommand(command: Command): Command {
  const out: Record<string, unknown> = { ...command };
  for (const [field, value] of Object.entries(command)) {
    if (field === 'name') continue;
    const label = labelOf(field);
    if (isFreeText(command, field)) {
      if (typeof value !== 'string') continue;
      const cleaned = stripControls(value).trim();
      if (cleaned === '' && value.trim() !== '') throw new UserError(`The ${label} holds nothing but control characters; write it in words.`);
      out[field] = cleaned;
      continue;
    }
    const key = listed(KEYS, command, field);
    for (const text of stringsIn(value)) checkName(text, label, key);
  }
  return out as Command;
}

function checkName(text: string, label: string, key: boolean): void {
  const control = firstControlInName(text);
  if (control) {
    throw new UserError(`The ${label} holds ${control.described} at character ${control.position}; names cannot hold control or text-direction characters. Type it again without it.`);
  }
  if (key && isReservedName(text)) throw new UserError(reservedNameMessage(capitalised(label), text));
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}
