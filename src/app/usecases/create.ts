import type { Command } from '../language/commands.js';
import { releaseFromTemplate } from './new-release.js';
import { Zone } from '../../domain/primitives.js';
import { SLUG_PATTERN } from '../../domain/primitives.js';
import { sealEntry, stateHashOf } from '../../domain/audit.js';
import { Release } from '../../domain/release.js';
import { isReservedName, reservedNameMessage } from '../../domain/names.js';
import { loadTemplate } from './templates.js';
import { UserError, type Reply } from '../request.js';
import { ChannelTakenError } from '../store-port.js';
import type { Ctx } from '../context.js';
import { reply } from './result.js';
import { RecordedBefore } from './change.js';
import { b, paragraph, t } from '../../views/elements.js';
import { implementationText } from '../../views/format.js';
import { holidayCoverageWarning } from '../../views/status.js';
import { ALLOW_NON_WORKING_DAY, checkImplementation } from './implementation-date.js';

type Create = Extract<Command, { name: 'create' }>;

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return SLUG_PATTERN.test(slug) ? slug : 'release';
}

export async function handleCreate(ctx: Ctx, cmd: Create): Promise<Reply[]> {
  const template = await loadTemplate(cmd.template ?? 'sec-release', ctx.deps.templatesDir).catch((error: Error) => {
    throw new UserError(error.message);
  });
  const zone = cmd.zone ?? template.zone;
  const zoneCheck = Zone.safeParse(zone);
  if (!zoneCheck.success) throw new UserError(`"${zone}" is not an IANA time zone; write it like Europe/London or America/New_York.`);
  const id = cmd.id ?? slugify(cmd.title);
  // An id made from the name has not been checked as a name yet.
  if (isReservedName(id)) throw new UserError(`${reservedNameMessage('Release id', id)} Give one with --id <slug>.`);
  const existing = await ctx.store.get(id);
  const created = existing && ctx.request.replay ? (await ctx.store.audit(id, { toSeq: 1 }))[0] : undefined;
  if (created && created.request === ctx.request.requestId) throw new RecordedBefore(created);
  if (existing) {
    throw new UserError(`A release with the id "${id}" exists already. Choose another with --id <slug>.`);
  }
  if (ctx.channel) {
    const linked = await ctx.store.findByChannel(ctx.channel);
    if (linked) throw channelTaken(linked);
  }
  const implementation = { date: cmd.date, time: cmd.time ?? template.time, zone };
  const allowed = checkImplementation({ implementation, holidays: template.holidays, calendar: template.id, now: ctx.now, allowNonWorkingDay: cmd.allowNonWorkingDay === true });
  const at = ctx.now.toISOString();
  const release = Release.parse(
    releaseFromTemplate(template, {
      id,
      name: cmd.title,
      date: cmd.date,
      ...(cmd.time && { time: cmd.time }),
      zone,
      ...(ctx.channel && { channel: ctx.channel }),
      by: ctx.actor.id,
      at,
    }),
  );
  const first = sealEntry(
    [],
    {
      at,
      actor: { id: ctx.actor.id, platform: ctx.actor.platform },
      command: ctx.text,
      ...(ctx.request.requestId !== undefined && { request: ctx.request.requestId }),
      outcome: 'applied',
      before: null,
      after: { id, name: cmd.title, template: template.id, implementation: release.implementation, ...(allowed.nonWorkingDay && { allowedNonWorkingDay: allowed.nonWorkingDay }) },
      stateHash: stateHashOf(release),
    },
    ctx.deps.audit?.key,
  );
  // The check above gives the usual answer early; the store's own check also catches a create
  // racing this one for the channel.
  await ctx.store.create(release, first, []).catch((error: unknown) => {
    throw error instanceof ChannelTakenError ? channelTaken(error.releaseId) : error;
  });
  const blocks = [
    paragraph(b(`${release.name} `), t(`(${id}) created from template ${template.id}, implementation ${implementationText(release.implementation)}.`)),
    paragraph(t(`${release.criteria.length} criteria, ${release.groups.length} review groups. You manage it. Next: assign the roles with \`/release role <role> <user>…\`, then \`/release status\`.`)),
  ];
  if (allowed.nonWorkingDay) blocks.push(paragraph(b('Note: '), t(`${allowed.nonWorkingDay}; created on it as ${ALLOW_NON_WORKING_DAY} asked.`)));
  const uncovered = holidayCoverageWarning(release.implementation.date, release.holidays);
  if (uncovered) blocks.push(paragraph(b('Warning: '), t(uncovered)));
  return [reply({ title: 'Release created', blocks }, 'public')];
}

function channelTaken(linked: string): UserError {
  return new UserError(`This channel already follows release "${linked}". Create the new release in its own channel, so answers never land on the wrong release.`);
}
