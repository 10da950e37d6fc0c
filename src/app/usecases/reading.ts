import type { Command } from '../language/commands.js';
import { evaluate, summarize } from '../../domain/readiness.js';
import { exportCsv, exportJsonl } from '../../domain/audit.js';
import { checkRecord } from '../record-check.js';
import { quarantineMessage } from '../context.js';
import { errorView, shortHead } from '../../views/messages.js';
import type { Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { reply } from './result.js';
import type { Undelivered } from '../../views/status.js';
import { rememberedStatusView } from '../../views/status-remembered.js';
import { isManager } from './authz.js';
import type { OutboxMessage } from '../delivery/outbox-message.js';
import { messageWords } from '../delivery/render-message.js';
import { listView, type ListRow } from '../../views/list.js';
import { b, paragraph, t } from '../../views/elements.js';
import { decisionPaper } from './report.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

export async function handleStatus(ctx: Ctx, cmd: Of<'status'>): Promise<Reply[]> {
  // Shared, not copied: a status only looks, and a frozen release's evaluation is remembered (see evaluate).
  const { id, release, head, quarantine } = await ctx.stored(cmd.release, { evenIfQuarantined: true, shared: true });
  // No verdict from a record that fails verification: it could be the very thing that was forged.
  if (quarantine) return [reply(errorView(quarantineMessage(release.name, id, quarantine)), cmd.public ? 'public' : 'private')];
  // What golive could not deliver is for the managers to act on (relink a channel, invite the bot).
  const undelivered = isManager(release, ctx.actor) ? undeliveredMessages(await ctx.store.outbox(id)) : [];
  const record = head ? { seq: head.seq, head: head.hash } : undefined;
  return [reply(rememberedStatusView(release, evaluate(release, ctx.now), ctx.now, undelivered, record), cmd.public ? 'public' : 'private')];
}

/** Messages refused for good or given up on: an edit of a checklist is not news on its own. */
function undeliveredMessages(outbox: readonly OutboxMessage[]): Undelivered[] {
  return outbox
    .filter((m) => (m.status === 'failed' || m.status === 'dead') && !m.superseded && m.kind !== 'checklist-update')
    .map((m) => ({
      what: messageWords(m),
      where: 'channel' in m.to ? `${m.to.channel.platform} channel ${m.to.channel.id}` : `a direct message to @${m.to.person.id}`,
      error: m.lastError ?? 'unknown error',
      tries: m.attempts,
      gaveUp: m.status === 'dead',
    }));
}

export async function handleList(ctx: Ctx): Promise<Reply[]> {
  const rows: ListRow[] = [];
  for (const summary of await ctx.store.list()) {
    const stored = await ctx.store.get(summary.id);
    if (!stored) continue;
    const quarantine = await ctx.store.quarantine(summary.id);
    // A row shows the verdict and the number of blockers, not the detail a status works out.
    rows.push(quarantine ? { release: stored.release, quarantine } : { release: stored.release, summary: summarize(stored.release, ctx.now) });
  }
  return [reply(listView(rows, ctx.now))];
}

export async function handleReport(ctx: Ctx): Promise<Reply[]> {
  const { release, head } = await ctx.stored();
  const record = head ? { seq: head.seq, head: head.hash } : undefined;
  return [
    {
      kind: 'file',
      visibility: 'public',
      filename: `${release.id}-decision-paper.md`,
      title: `Decision paper: ${release.name}`,
      mime: 'text/markdown',
      content: decisionPaper(release, ctx.now, record),
    },
  ];
}

/**
 * The record checked now, as start-up checks it; with --head, whether a head people were shown
 * is still in it, which is what catches a record cut or rewritten wholesale.
 */
export async function handleAuditVerify(ctx: Ctx, cmd: Of<'audit-verify'>): Promise<Reply[]> {
  const { id, release, refusals } = await ctx.stored(undefined, { evenIfQuarantined: true });
  // The whole chain, as start-up checks it: verifying it is what this command is for.
  const audit = await ctx.store.audit(id);
  const verdict = checkRecord({ release, audit, refusals }, ctx.deps.audit ?? {});
  const headAt = cmd.head === undefined ? -1 : audit.findIndex((entry) => entry.hash.startsWith(cmd.head!));
  // A chain consistent on its own but missing a head people were shown was cut or rewritten:
  // that is the answer, so it must not open with "intact".
  const headLost = cmd.head !== undefined && headAt < 0;
  const spans = verdict.ok
    ? [
        b(headLost ? 'The chain is consistent on its own: ' : 'Audit record intact: '),
        t(`${verdict.entries} entries for ${release.name}, head `),
        t(shortHead(verdict.head), 'code'),
        t('. '),
        t(
          verdict.sealedFrom === undefined
            ? 'The stored state is NOT sealed (every entry predates state sealing). '
            : `It seals the stored state (entries ${verdict.sealedFrom} to ${verdict.entries}). `,
        ),
        t(
          verdict.keyedFrom === undefined
            ? 'Not keyed: anyone with the files could recompute it; a head published earlier (--head) or GOLIVE_AUDIT_KEY guards against that.'
            : `Keyed with GOLIVE_AUDIT_KEY (HMAC-SHA256)${verdict.keyedFrom > 1 ? ` from entry ${verdict.keyedFrom}` : ''}.`,
        ),
      ]
    : [b('Audit record FAILS verification: '), t(`at entry ${verdict.seq}: ${verdict.message}`)];
  const blocks = [paragraph(...spans)];
  if (cmd.head !== undefined) {
    if (headLost) {
      blocks.unshift(
        paragraph(b('Audit record FAILS verification: '), t(`head ${shortHead(cmd.head)} is NOT in this record: it was cut or rewritten after that head was shown (or the hash was mistyped).`)),
      );
    } else {
      blocks.push(
        paragraph(b(`Head ${shortHead(cmd.head)} is entry ${audit[headAt]!.seq} of ${audit.length}: `), t('the record shown with it is still here, and everything after it follows on from it.')),
      );
    }
  }
  const intact = verdict.ok && !headLost;
  return [reply({ title: intact ? 'Audit record intact' : 'Audit record fails verification', blocks })];
}

export async function handleAuditExport(ctx: Ctx, cmd: Of<'audit-export'>): Promise<Reply[]> {
  // Exporting a quarantined record is how it gets investigated.
  const { id, release } = await ctx.stored(undefined, { evenIfQuarantined: true });
  const audit = await ctx.store.audit(id);
  const content = cmd.format === 'csv' ? exportCsv(audit) : exportJsonl(audit);
  return [
    {
      kind: 'file',
      visibility: 'private',
      filename: `${release.id}-audit.${cmd.format}`,
      title: `Audit trail: ${release.name}`,
      mime: cmd.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      content,
    },
  ];
}
