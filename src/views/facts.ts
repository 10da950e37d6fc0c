import type { Facts } from '../domain/release.js';
import { t, user, type Block, type Span } from './elements.js';
import { when } from './format.js';

const setLine = (f: { setBy: string; setAt: string }, zone: string): Span[] => [t(' (set by '), user(f.setBy), t(` on ${when(f.setAt, zone)})`)];

export function factsBlocks(facts: Facts, zone: string): Block[] {
  const fields: Array<{ label: string; value: Span[] }> = [];
  const d = facts.defects;
  fields.push({
    label: 'Defects outstanding',
    value: d
      ? [t(([1, 2, 3, 4, 5] as const).map((s) => `sev${s} ${d.counts[s]}`).join(' · ') + (d.plans === undefined ? '' : ` · resolution plans: ${d.plans ? 'yes' : 'no'}`)), ...setLine(d, zone)]
      : [t('not recorded')],
  });
  const i = facts.testingIssues;
  fields.push({ label: 'Testing issues', value: i ? [t(`${i.count} (threshold ${i.threshold})`), ...setLine(i, zone)] : [t('not recorded')] });
  fields.push({
    label: 'Test phases',
    value:
      facts.phases.length > 0
        ? [t(facts.phases.map((p) => `${p.name}: ${p.closed ? 'closed' : 'open'}${p.closed && !p.exitCriteriaMet ? ' (exit criteria NOT met)' : ''}`).join(' · '))]
        : [t('not recorded')],
  });
  const e = facts.environment;
  fields.push({ label: 'Environment alignment', value: e ? [t(e.note), ...setLine(e, zone)] : [t('not recorded')] });
  return [{ type: 'fields', fields }];
}
