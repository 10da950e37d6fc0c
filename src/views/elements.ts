import { z } from 'zod';

// The neutral vocabulary every adapter renders (Block Kit, Adaptive Cards, plain text). Views say
// what to show; a renderer decides how. User text always travels as a `text` span so each
// renderer can escape it for its own markup.
export const Span = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string(), style: z.enum(['bold', 'italic', 'code']).optional() }).strict(),
  z.object({ type: z.literal('user'), id: z.string() }).strict(),
  z.object({ type: z.literal('link'), url: z.string(), label: z.string().optional() }).strict(),
]);
export type Span = z.infer<typeof Span>;

export const Status = z.enum(['ok', 'failed', 'pending', 'stale', 'info']);
export type Status = z.infer<typeof Status>;

/** A second step before an action runs, against mis-taps on phones. */
export const Confirm = z.object({ title: z.string(), text: z.string(), yes: z.string(), no: z.string() }).strict();

export const Action = z
  .object({
    id: z.string().min(1).max(100),
    label: z.string().min(1).max(75),
    value: z.string().max(2000),
    style: z.enum(['primary', 'danger']).optional(),
    confirm: Confirm.optional(),
  })
  .strict();
export type Action = z.infer<typeof Action>;

export const Block = z.discriminatedUnion('type', [
  z.object({ type: z.literal('heading'), text: z.string() }).strict(),
  z.object({ type: z.literal('paragraph'), content: z.array(Span) }).strict(),
  z.object({ type: z.literal('note'), content: z.array(Span) }).strict(),
  z.object({ type: z.literal('fields'), fields: z.array(z.object({ label: z.string(), value: z.array(Span) }).strict()) }).strict(),
  z
    .object({
      type: z.literal('item'),
      status: Status,
      title: z.array(Span),
      lines: z.array(z.array(Span)),
      actions: z.array(Action).optional(),
    })
    .strict(),
  z.object({ type: z.literal('actions'), actions: z.array(Action) }).strict(),
  z.object({ type: z.literal('divider') }).strict(),
]);
export type Block = z.infer<typeof Block>;
export type ItemBlock = Extract<Block, { type: 'item' }>;

export const View = z.object({ title: z.string(), blocks: z.array(Block) }).strict();
export type View = z.infer<typeof View>;

/** A small form a person fills in (a Slack modal, a Teams card with inputs). */
export const FormField = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/),
    label: z.string(),
    /** `links` is free text holding one http(s) link per line. */
    kind: z.enum(['text', 'links']),
    multiline: z.boolean(),
    required: z.boolean(),
    hint: z.string().optional(),
    placeholder: z.string().optional(),
  })
  .strict();
export type FormField = z.infer<typeof FormField>;

export const Form = z
  .object({
    /** What submitting it does; the adapter hands it back with the values. */
    id: z.string().min(1).max(200),
    title: z.string().min(1),
    submit: z.string().min(1),
    intro: z.array(Span).default([]),
    fields: z.array(FormField),
    /** Opaque context the app needs back on submit (release, criterion, answer). */
    metadata: z.string().max(2900),
  })
  .strict();
export type Form = z.infer<typeof Form>;

export const t = (text: string, style?: 'bold' | 'italic' | 'code'): Span => (style ? { type: 'text', text, style } : { type: 'text', text });
export const b = (text: string): Span => t(text, 'bold');
export const user = (id: string): Span => ({ type: 'user', id });
export const link = (url: string, label?: string): Span => (label ? { type: 'link', url, label } : { type: 'link', url });
export const paragraph = (...content: Span[]): Block => ({ type: 'paragraph', content });
export const note = (...content: Span[]): Block => ({ type: 'note', content });
export const heading = (text: string): Block => ({ type: 'heading', text });
export const divider = (): Block => ({ type: 'divider' });

/** People as spans separated by commas, or a dash when there are none. */
export function people(ids: readonly string[], none = '—'): Span[] {
  if (ids.length === 0) return [t(none)];
  return ids.flatMap((id, i) => (i === 0 ? [user(id)] : [t(', '), user(id)]));
}
