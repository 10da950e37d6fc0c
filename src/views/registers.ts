import type { Release } from '../domain/release.js';
import { b, note, paragraph, people, t, user, type Block, type View } from './elements.js';
import { when } from './format.js';

/** The guarded switches: what each must be, what it was last reported as, by whom and from where. */
export function switchListView(release: Release): View {
  const zone = release.implementation.zone;
  const blocks: Block[] = [{ type: 'heading', text: `Guarded switches: ${release.name}` }];
  if (release.switches.length === 0) blocks.push(paragraph(t('No switch is guarded. '), t('/release switch add <key> --expect on|off', 'code'), t(' guards one.')));
  for (const sw of release.switches) {
    const last = sw.history.at(-1);
    const wrong = sw.current !== undefined && sw.current !== sw.expected;
    const status = sw.current === undefined ? 'pending' : wrong ? 'failed' : 'ok';
    const lines = [
      [t(`Expected ${sw.expected} · current ${sw.current ?? 'not reported yet'}${wrong ? ': this blocks go-live' : ''}`)],
      ...(last
        ? [[t(`Last change: ${last.from ?? 'unreported'} → ${last.to}, ${when(last.at, zone)} by `), user(last.by), t(` via ${last.platform}${last.source ? `, source: ${last.source}` : ''}`)]]
        : []),
      ...(sw.description ? [[t(sw.description, 'italic')]] : []),
    ];
    blocks.push({ type: 'item', status, title: [b(sw.key)], lines });
  }
  if (release.switches.length > 0) blocks.push(note(t('/release history <key> shows every change of a switch.')));
  return { title: `Guarded switches: ${release.name}`, blocks };
}

const RISK_WORDS = { open: 'OPEN', accepted: 'accepted', 'accepted-with-conditions': 'accepted with conditions', closed: 'closed' } as const;

/** The risk register: open risks block go-live until accepted or closed. */
export function riskListView(release: Release): View {
  const blocks: Block[] = [{ type: 'heading', text: `Risk register: ${release.name}` }];
  if (release.risks.length === 0) blocks.push(paragraph(t('The register is empty. '), t('/release risk add "<text>"', 'code'), t(' adds a risk.')));
  for (const risk of release.risks) {
    const status = risk.status === 'open' ? 'failed' : 'ok';
    const lines = [
      [
        t(`Owner `),
        ...people(risk.owner ? [risk.owner] : [], 'none'),
        t(` · ${risk.mitigations.length} mitigation${risk.mitigations.length === 1 ? '' : 's'} · ${risk.views.length} group view${risk.views.length === 1 ? '' : 's'}`),
      ],
      ...(risk.conditions ? [[t('Conditions: '), t(risk.conditions)]] : []),
    ];
    blocks.push({ type: 'item', status, title: [b(`R${risk.number} ${RISK_WORDS[risk.status]}`), t(': '), t(risk.description)], lines });
  }
  if (release.risks.length > 0) blocks.push(note(t('/release history R<n> shows what was done about a risk, and by whom.')));
  return { title: `Risk register: ${release.name}`, blocks };
}
