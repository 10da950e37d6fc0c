import type { Form, View } from '../../src/views/elements.js';
import { renderSpans, renderText } from '../console/render-text.js';
import type { Outgoing } from './connector.js';

// TEMPORARY until branch teams-cards lands: neutral views and forms as minimal Adaptive Cards
// (plain text runs, which carry no markup, and Action.Execute buttons). The real renderer
// (render-card.ts, render-form.ts) replaces the bodies of these functions, not their callers.

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const REFRESH_VERBS = new Set(['refresh', 'golive:refresh']);
export const FORM_VERBS = { submit: 'golive:form:submit', cancel: 'golive:form:cancel' } as const;

export type Card = Record<string, unknown>;

export interface CardOptions {
  /** Display names by platform-qualified person id. */
  names?: (personId: string) => string | undefined;
  /** Teams users whose clients refresh the card, and the data the refresh sends back. */
  refresh?: { userIds: string[]; data: object };
}

const run = (text: string) => ({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text }] });

export function viewCard(view: View, options: CardOptions = {}): Card {
  const actions = view.blocks.flatMap((block) => (block.type === 'actions' || block.type === 'item' ? (block.actions ?? []) : []));
  const body = [run(view.title), run(renderText(view) || view.title)];
  const card: Card = {
    type: 'AdaptiveCard',
    version: '1.5',
    body,
    ...(actions.length > 0 && { actions: actions.map((a) => ({ type: 'Action.Execute', title: a.label, verb: a.id, data: { value: a.value } })) }),
  };
  const userIds = (options.refresh?.userIds ?? []).filter((id) => id.startsWith('teams:')).map((id) => id.slice('teams:'.length));
  if (options.refresh) card.refresh = { action: { type: 'Action.Execute', verb: 'golive:refresh', data: options.refresh.data }, userIds: userIds.slice(0, 60) };
  return card;
}

export function formCard(form: Form, errors: Record<string, string> = {}, values: Record<string, string> = {}): Card {
  const body: unknown[] = [run(form.title), run(renderSpans(form.intro))];
  for (const [key, message] of Object.entries(errors)) if (!form.fields.some((f) => f.id === key)) body.push(run(message));
  for (const field of form.fields) {
    body.push({
      type: 'Input.Text',
      id: field.id,
      label: field.label,
      isMultiline: field.multiline,
      ...(field.required && { isRequired: true }),
      ...(values[field.id] && { value: values[field.id] }),
    });
    if (errors[field.id]) body.push(run(errors[field.id]!));
  }
  const data = { form: form.id, metadata: form.metadata };
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    body,
    actions: [
      { type: 'Action.Execute', title: form.submit, verb: FORM_VERBS.submit, data },
      { type: 'Action.Execute', title: 'Cancel', verb: FORM_VERBS.cancel, data, associatedInputs: 'none' },
    ],
  };
}

/** What a submit sent back: the form, its metadata and each field's text. */
export function readFormData(data: unknown, fieldIds: readonly string[] = []): { form: string; metadata: string; values: Record<string, string> } | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const record = data as Record<string, unknown>;
  if (typeof record.form !== 'string' || typeof record.metadata !== 'string') return undefined;
  const values = new Map<string, string>(fieldIds.map((id) => [id, '']));
  for (const [key, value] of Object.entries(record)) if (key !== 'form' && key !== 'metadata' && typeof value === 'string') values.set(key, value);
  return { form: record.form, metadata: record.metadata, values: Object.fromEntries(values) };
}

/** A view as a message: the card, with its title as the notification's summary. */
export function viewMessage(view: View, options: CardOptions = {}): Outgoing {
  return { summary: view.title.slice(0, 200) || 'golive', attachments: [{ contentType: CARD_CONTENT_TYPE, content: viewCard(view, options) }] };
}
