import type { Command } from '../commands.js';
import { evaluate } from '../../domain/readiness.js';
import { exportCsv, exportJsonl, verifyChain } from '../../domain/audit.js';
import type { Reply } from '../request.js';
import type { Ctx } from '../context.js';
import { reply } from './result.js';
import { statusView } from '../../views/status.js';
import { listView } from '../../views/list.js';
import { doneView } from '../../views/messages.js';
import { b, t } from '../../views/elements.js';
import { decisionPaper } from '../report.js';

type Of<N extends Command['name']> = Extract<Command, { name: N }>;

const MESSAGE_WORDS = { announcement: 'Announcement', alert: 'Switch alert', checklist: 'Checklist', 'checklist-update': 'Checklist update' } as const;

export function handleStatus(ctx: Ctx, cmd: Of<'status'>): Reply[] {
  const doc = ctx.store.get(ctx.releaseId(cmd.release))!;
  const undelivered = doc.outbox
    .filter((m) => m.status === 'failed' && !m.superseded && m.kind !== 'checklist-update')
    .map((m) => ({ what: MESSAGE_WORDS[m.kind], where: `${m.channel.platform} channel ${m.channel.id}`, error: m.lastError ?? 'unknown error' }));
  return [reply(statusView(doc.release, evaluate(doc.release, ctx.now), ctx.now, undelivered), cmd.public ? 'public' : 'private')];
}

export function handleList(ctx: Ctx): Reply[] {
  const rows = ctx.store.list().map((summary) => {
    const release = ctx.store.get(summary.id)!.release;
    return { release, readiness: evaluate(release, ctx.now) };
  });
  return [reply(listView(rows, ctx.now))];
}

export function handleReport(ctx: Ctx): Reply[] {
  const doc = ctx.store.get(ctx.releaseId())!;
  return [{ kind: 'file', visibility: 'public', filename: `${doc.release.id}-decision-paper.md`, title: `Decision paper: ${doc.release.name}`, mime: 'text/markdown', content: decisionPaper(doc.release, ctx.now) }];
}

export function handleAuditVerify(ctx: Ctx): Reply[] {
  const doc = ctx.store.get(ctx.releaseId())!;
  const result = verifyChain(doc.audit);
  return [
    reply(
      result.ok
        ? doneView('Audit chain intact', b('Audit chain intact: '), t(`${result.entries} entries for ${doc.release.name}, head ${result.head.slice(0, 12)}…`))
        : doneView('Audit chain broken', b('Audit chain BROKEN: '), t(result.message)),
    ),
  ];
}

export function handleAuditExport(ctx: Ctx, cmd: Of<'audit-export'>): Reply[] {
  const doc = ctx.store.get(ctx.releaseId())!;
  const content = cmd.format === 'csv' ? exportCsv(doc.audit) : exportJsonl(doc.audit);
  return [{ kind: 'file', visibility: 'private', filename: `${doc.release.id}-audit.${cmd.format}`, title: `Audit trail: ${doc.release.name}`, mime: cmd.format === 'csv' ? 'text/csv' : 'application/x-ndjson', content }];
}
