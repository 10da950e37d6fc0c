import type { Form, FormField } from '../../src/views/elements.js';
import { renderSpans } from './card-lines.js';
import { SCHEMA_URL, type AdaptiveCard, type CardElement, type Execute, type InputText, type RichTextBlock } from './card-types.js';
import { oneLine, runText, truncate } from './card-text.js';
import { People } from './people.js';

// A neutral form as an Adaptive Card with inputs. Each Input.Text has the field id as its id, so the
// values come back under the field ids, beside the `form` and `metadata` the submit button carries
// (Action.Execute merges input values into its data). Cancel sends no inputs, so a required field
// left empty does not stop it.

export const FORM_VERBS = { submit: 'golive:form:submit', cancel: 'golive:form:cancel' } as const;

const FORM_LIMITS = { title: 150, button: 75, label: 200, placeholder: 150, message: 500, input: 3000 } as const;

/** Keys of the submit data: a field with one of these ids would be overwritten by it, or overwrite it. */
const RESERVED = new Set(['form', 'metadata']);

const attention = (text: string): RichTextBlock => ({ type: 'RichTextBlock', spacing: 'Small', inlines: [{ type: 'TextRun', text: runText(text), color: 'Attention' }] });
const subtle = (text: string): RichTextBlock => ({ type: 'RichTextBlock', spacing: 'Small', inlines: [{ type: 'TextRun', text: runText(text), isSubtle: true, size: 'Small' }] });

/**
 * The form as a card. `errors` (field id → message) are shown in red under their fields, and any
 * for no field at the top; `values` fill the inputs again, so a person who made one mistake does
 * not type everything twice. Throws when a field id is repeated or is `form` or `metadata`: that is
 * a mistake in the app's form, not in anything a person typed.
 */
export function renderFormCard(form: Form, errors: Record<string, string> = {}, values: Record<string, string> = {}): AdaptiveCard {
  const ids = new Set<string>();
  for (const field of form.fields) {
    if (RESERVED.has(field.id)) throw new Error(`Form "${form.id}": field id "${field.id}" is reserved for the submit data; rename the field.`);
    if (ids.has(field.id)) throw new Error(`Form "${form.id}": field id "${field.id}" is used twice.`);
    ids.add(field.id);
  }
  const body: CardElement[] = [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: oneLine(form.title, FORM_LIMITS.title) || 'golive', size: 'Large', weight: 'Bolder' }] }];
  body.push(...renderSpans(form.intro ?? [], new People(undefined, false)).elements);
  for (const [key, message] of Object.entries(errors)) {
    if (!ids.has(key) && message.trim()) body.push(attention(truncate(message, FORM_LIMITS.message)));
  }
  for (const field of form.fields) body.push(...fieldElements(field, own(errors, field.id), own(values, field.id)));

  const data = { form: form.id, metadata: form.metadata };
  const submit: Execute = { type: 'Action.Execute', title: oneLine(form.submit, FORM_LIMITS.button) || 'Submit', verb: FORM_VERBS.submit, data, style: 'positive' };
  const cancel: Execute = { type: 'Action.Execute', title: 'Cancel', verb: FORM_VERBS.cancel, data: { ...data }, associatedInputs: 'none' };
  return { type: 'AdaptiveCard', $schema: SCHEMA_URL, version: '1.5', body, actions: [submit, cancel], msteams: { width: 'Full' } };
}

const own = (record: Record<string, string>, key: string): string | undefined => (Object.hasOwn(record, key) && typeof record[key] === 'string' ? record[key] : undefined);

function fieldElements(field: FormField, error: string | undefined, value: string | undefined): CardElement[] {
  const label = oneLine(field.label, FORM_LIMITS.label) || field.id;
  const input: InputText = { type: 'Input.Text', id: field.id, label, maxLength: FORM_LIMITS.input };
  if (field.multiline) input.isMultiline = true;
  if (field.required) {
    input.isRequired = true;
    input.errorMessage = oneLine(error ?? `${label}: this is required.`, FORM_LIMITS.message);
  }
  const placeholder = field.placeholder ? oneLine(field.placeholder, FORM_LIMITS.placeholder) : '';
  if (placeholder) input.placeholder = placeholder;
  if (value) input.value = truncate(value, FORM_LIMITS.input, '');
  const out: CardElement[] = [input];
  if (error?.trim()) out.push(attention(truncate(error, FORM_LIMITS.message)));
  if (field.hint?.trim()) out.push(subtle(truncate(field.hint, FORM_LIMITS.message)));
  return out;
}

/** What a submit sent back: the form, its metadata, and the text of each field ('' when left empty). */
export interface FormSubmission {
  form: string;
  metadata: string;
  values: Record<string, string>;
}

/** Reads an Action.Execute's data; undefined when it is not a golive form's. */
export function readFormData(data: unknown, fieldIds: readonly string[] = []): FormSubmission | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const record = data as Record<string, unknown>;
  if (typeof record.form !== 'string' || typeof record.metadata !== 'string') return undefined;
  // A Map then fromEntries, so no key (even `__proto__`) can reach a prototype.
  const values = new Map<string, string>(fieldIds.map((id) => [id, '']));
  for (const [key, value] of Object.entries(record)) {
    if (!RESERVED.has(key) && typeof value === 'string') values.set(key, value);
  }
  return { form: record.form, metadata: record.metadata, values: Object.fromEntries(values) };
}
