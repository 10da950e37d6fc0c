import type { Release } from '../domain/release.js';
import type { ReadinessSummary } from '../domain/readiness.js';
import { timeLeft } from '../domain/calendar.js';
import { b, paragraph, t, type Block, type View } from './elements.js';
import { implementationText, verdictText } from './format.js';
import { isOverdue, OUTCOME_WORDS } from '../domain/outcome.js';
import { sinceDue } from './outcome.js';

/** A release whose record failed verification shows that, not a verdict. */
export type ListRow = { release: Release; summary: ReadinessSummary } | { release: Release; quarantine: { seq: number } };

export function listView(rows: readonly ListRow[], now: Date): View {
  if (rows.length === 0) return { title: 'Releases', blocks: [paragraph(t('No releases yet. Start one with `/release create "<name>" <YYYY-MM-DD>`.'))] };
  const blocks: Block[] = rows.map((row) => {
    const { release } = row;
    if ('quarantine' in row) {
      return paragraph(b('RECORD FAILS VERIFICATION'), t(` ${release.name} `), t(release.id, 'code'), t(` · at entry ${row.quarantine.seq}: read-only until whoever runs golive restores it`));
    }
    const { summary } = row;
    if (release.outcome) {
      return paragraph(
        b(`CLOSED: ${OUTCOME_WORDS[release.outcome.result]}`),
        t(` ${release.name} `),
        t(release.id, 'code'),
        t(` · ${implementationText(release.implementation)} · last verdict ${verdictText(summary)}`),
      );
    }
    if (isOverdue(release, now)) {
      return paragraph(
        b(`OVERDUE ${verdictText(summary)}`),
        t(` ${release.name} `),
        t(release.id, 'code'),
        t(` · ${implementationText(release.implementation)}, went past its date ${sinceDue(release, now)} without an outcome: record it with /release close`),
      );
    }
    return paragraph(
      b(verdictText(summary)),
      t(` ${release.name} `),
      t(release.id, 'code'),
      t(` · ${implementationText(release.implementation)}, ${timeLeft(now, summary.due.at)} · ${summary.blockerCount} blocker${summary.blockerCount === 1 ? '' : 's'}`),
    );
  });
  return { title: 'Releases', blocks };
}
