import { b, t, user, type Span } from '../../../views/elements.js';
import { when } from '../../../views/format.js';
import { doneView } from '../../../views/messages.js';
import { decisionWords } from '../../../views/status.js';
import { Undeliverable, type KindRenderer } from '../kind-renderer.js';

/** The approver's decision, told in every channel the release follows. */
export const decision: KindRenderer<'decision'> = {
  words: 'Decision announcement',
  render({ params }, { release }) {
    const d = release.decisions[params.index];
    if (!d) throw new Undeliverable(`decision ${params.index + 1} is not in the record of ${release.id}`);
    const words = decisionWords(d);
    const spans: Span[] = [t(`${release.approverRole} decided `), b(words), t(' by '), user(d.by)];
    if (d.onBehalfOf) spans.push(t(' for '), user(d.onBehalfOf));
    spans.push(t(` on ${when(d.at, release.implementation.zone)}${d.note ? `: ${d.note}` : '.'}`));
    if (d.override) {
      const n = params.openBlockers ?? 0;
      spans.push(t(` Override, with ${n} blocker${n === 1 ? '' : 's'} still open: ${d.override}`));
    }
    return doneView(`${release.name}: ${release.approverRole} decided ${words}`, ...spans);
  },
};
