import type { Command } from '../language/commands.js';
import type { Ctx } from '../context.js';
import { UserError, type Reply } from '../request.js';
import { reply } from './result.js';
import { doneView } from '../../views/messages.js';
import { t } from '../../views/elements.js';
import { DIGEST_TIME } from '../delivery/digest.js';

// A person's own setting, not a change to any release: nothing goes into a release's audit trail.

export async function handleNotify(ctx: Ctx, command: Extract<Command, { name: 'notify' }>): Promise<Reply[]> {
  const people = ctx.deps.people;
  if (!people) throw new UserError('Daily messages are not available here: this golive keeps no settings for people.');
  const key = ctx.actor.id;
  const was = (await people.get(key)).notify;
  if (command.state === undefined) return [reply(doneView('Notifications', t(settingText(was))))];
  const wanted = command.state === 'on';
  if (wanted === was) return [reply(doneView('Notifications', t(`Unchanged: ${settingText(was)}`)))];
  await people.update(key, (prefs) => ({ ...prefs, notify: wanted }));
  return [reply(doneView('Notifications', t(`Changed from ${was ? 'on' : 'off'} to ${wanted ? 'on' : 'off'}: ${settingText(wanted)}`)))];
}

function settingText(on: boolean): string {
  return on
    ? `daily messages are on: each working day at ${DIGEST_TIME} (in the zone of your soonest release) golive sends you one direct message listing what waits for you. \`/release notify off\` stops them.`
    : 'daily messages are off: golive sends you no daily list. `/release todo` shows it whenever you ask; `/release notify on` starts the messages again.';
}
