import type { Command } from './language/commands.js';
import { parse } from './language/parser.js';
import type { Keeping, Received } from './inbox.js';

// A request that only reads changes nothing golive keeps: losing its receipt in a power cut loses
// no answer on record, only the reply the person was waiting for (they ask again). So its receipt
// is written before the acknowledgement, not fsynced (Keeping `written`: a crash or kill of golive
// still leaves it to be answered after the restart). Anything else stays durable first.

// Named one by one, so a command added later is durable until someone decides otherwise.
const READS: ReadonlySet<Command['name']> = new Set([
  'help',
  'list',
  'status',
  'todo',
  'whoami',
  'schedule',
  'report',
  'history',
  'switch-list',
  'risk-list',
  'audit-verify',
  'audit-export',
] satisfies Command['name'][]);

/** True when handling the command changes nothing (`notify` without on/off only shows the setting). */
export function changesNothing(command: Command): boolean {
  return READS.has(command.name) || (command.name === 'notify' && command.state === undefined);
}

/**
 * True for a typed command that changes nothing, or that does not parse (it is answered with an
 * error). Button presses and forms are never taken for reads: most of them record something.
 */
export function readsOnly(entry: Received): boolean {
  if (entry.kind !== 'command') return false;
  const known = decided.get(entry);
  if (known !== undefined) return known;
  const parsed = parse(entry.text);
  const reads = !parsed.ok || changesNothing(parsed.value.command);
  decided.set(entry, reads);
  return reads;
}

// An adapter asks before the acknowledgement and again once it has answered: parsed once.
const decided = new WeakMap<Received, boolean>();

/** How far a request's receipt must be kept before the platform hears "received". */
export const keepingOf = (entry: Received): Keeping => (readsOnly(entry) ? 'written' : 'durable');
