import { b, t } from '../../../views/elements.js';
import { actorSpan } from '../../../views/facts-alert.js';
import { doneView } from '../../../views/messages.js';
import { Undeliverable, type KindRenderer } from '../kind-renderer.js';

/** Every change of a guarded switch, as the TOC alert is in the paper: loud when it is wrong. */
export const switchAlert: KindRenderer<'switch-alert'> = {
  words: 'Switch alert',
  render({ params }, { release }) {
    const sw = release.switches.find((s) => s.key === params.key);
    const change = sw?.history[params.index];
    if (!sw || !change) throw new Undeliverable(`change ${params.index + 1} of switch ${params.key} is not in the record of ${release.id}`);
    const wrong = change.to !== sw.expected;
    const putBack = !wrong && change.from !== undefined && change.from !== sw.expected;
    return doneView(
      `Switch ${sw.key} is ${change.to}`,
      b(wrong ? `ALERT: guarded switch ${sw.key} turned ${change.to}` : `Guarded switch ${sw.key} is ${change.to}`),
      t(` (expected ${sw.expected}) by `),
      actorSpan({ id: change.by, platform: change.platform }),
      t(` via ${change.platform}${change.source ? `, ${change.source}` : ''}.${wrong ? ' This blocks go-live.' : putBack ? ' Put back as expected: it no longer blocks go-live.' : ''}`),
    );
  },
};
