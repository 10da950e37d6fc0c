import type { Form, View } from '../../src/views/elements.js';
import type { AdaptiveCard } from './card-types.js';
import type { Outgoing } from './connector.js';
import { REFRESH_VERB, renderCard, type CardOptions } from './render-card.js';
import { FORM_VERBS, readFormData, renderFormCard } from './render-form.js';

// Where the adapter meets the card renderers: a neutral view or form as an Adaptive Card, and a view
// as the message activity that carries it.

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** The card's own refresh verb, and Microsoft's conventional one. */
export const REFRESH_VERBS: ReadonlySet<string> = new Set([REFRESH_VERB, 'refresh']);
export { FORM_VERBS, readFormData, type CardOptions };

export type Card = AdaptiveCard;

export const viewCard = (view: View, options: CardOptions = {}): Card => renderCard(view, options).card;

export const formCard = (form: Form, errors: Record<string, string> = {}, values: Record<string, string> = {}): Card => renderFormCard(form, errors, values);

/** A view as a message: the card (its mentions inside it), with the title as the notification's summary. */
export function viewMessage(view: View, options: CardOptions = {}): Outgoing {
  return { summary: view.title.replace(/\s+/g, ' ').trim().slice(0, 200) || 'golive', attachments: [{ contentType: CARD_CONTENT_TYPE, content: viewCard(view, options) }] };
}
