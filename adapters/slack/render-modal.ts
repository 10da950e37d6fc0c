import type { types } from '@slack/bolt';
import type { Form, FormField } from '../../src/views/elements.js';
import { fitMrkdwn, plainText } from './mrkdwn.js';
import { LIMITS } from './render-blocks.js';

// A neutral form as a Slack modal. Each field is an input block whose block_id and action_id are
// both the field id, so a submission reads back by field id and field errors land on the right box.

const MODAL = { title: 24, button: 24, label: 2000, hint: 2000, placeholder: 150, inputLength: 3000 } as const;

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: plainText(text, max), emoji: true });

export function renderModal(form: Form): types.ModalView {
  const blocks: types.KnownBlock[] = [];
  const intro = fitMrkdwn(form.intro ?? [], LIMITS.section);
  if (intro.trim()) blocks.push({ type: 'section', block_id: 'intro', text: { type: 'mrkdwn', text: intro, verbatim: true } });
  for (const field of form.fields.slice(0, LIMITS.surfaceBlocks - blocks.length)) blocks.push(inputBlock(field));
  return {
    type: 'modal',
    callback_id: form.id,
    // Not cut: a cut would only corrupt what the app needs back; the Form schema keeps it short.
    private_metadata: form.metadata,
    title: plain(form.title, MODAL.title),
    submit: plain(form.submit, MODAL.button),
    close: plain('Cancel', MODAL.button),
    blocks,
  };
}

function inputBlock(field: FormField): types.InputBlock {
  const element: types.PlainTextInput = { type: 'plain_text_input', action_id: field.id, multiline: field.multiline, max_length: MODAL.inputLength };
  if (field.placeholder) element.placeholder = plain(field.placeholder, MODAL.placeholder);
  const block: types.InputBlock = { type: 'input', block_id: field.id, label: plain(field.label || field.id, MODAL.label), optional: !field.required, element };
  if (field.hint) block.hint = plain(field.hint, MODAL.hint);
  return block;
}

/** Slack's `view.state.values`: block_id → action_id → the element's state. */
export type StateValues = Record<string, Record<string, { type?: string; value?: string | null }>>;

/** Field id → text typed; a field left empty (or listed in `fieldIds` but absent) is ''. */
export function readFormValues(values: StateValues, fieldIds: readonly string[] = []): Record<string, string> {
  // A Map then fromEntries, so no block id (even `__proto__`) can reach a prototype.
  const out = new Map<string, string>(fieldIds.map((id) => [id, '']));
  for (const [blockId, actions] of Object.entries(values ?? {})) {
    const state = Object.hasOwn(actions, blockId) ? actions[blockId] : Object.values(actions)[0];
    out.set(blockId, typeof state?.value === 'string' ? state.value : '');
  }
  return Object.fromEntries(out);
}

/** The ack body that shows each message under its field and keeps the modal open. */
export function formErrors(errors: Record<string, string>): { response_action: 'errors'; errors: Record<string, string> } {
  // Shown as plain text under the field, and they may quote what was typed (a bad link).
  return { response_action: 'errors', errors: Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, plainText(message, MODAL.label)])) };
}
