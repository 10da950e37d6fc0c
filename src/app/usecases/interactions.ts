import { ActionValue, AnswerFormMetadata, ANSWER_FORM } from '../language/action-ids.js';
import type { Command } from '../language/commands.js';
import { HttpUrl } from '../../domain/primitives.js';
import { ANSWER_WORDS } from '../../views/format.js';

// Buttons and forms, turned into the same typed commands the grammar produces, so a click is
// authorised, recorded and audited exactly as the typed command would be: GoliveApp.act and
// GoliveApp.submit hand what these return to `execute`, like a typed line.

/** What a button or a form asks for: the command, the release it acts on, and its words for the audit entry. */
export interface Interaction {
  release: string;
  command: Command;
  text: string;
}

/** A submitted form checked before anything is written: field errors, a form golive does not know, or the command it makes. */
export type FormCheck = { kind: 'errors'; errors: Record<string, string> } | { kind: 'unknown' } | ({ kind: 'ok' } & Interaction);

export const UNKNOWN_ACTION = 'That button is not one golive knows (it may come from an older message). Run `/release status` for the current checklist.';
export const UNKNOWN_FORM = 'That form is not one golive knows. Run `/release status` and answer from the checklist.';

function parseValue(value: string): ActionValue | undefined {
  try {
    const parsed = ActionValue.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const isAnswer = (word: string | undefined): word is 'met' | 'not-met' | 'need-info' => word === 'met' || word === 'not-met' || word === 'need-info';

/** The command a button stands for; undefined for a button golive does not know. */
export function actionCommand(actionId: string, value: string): Interaction | undefined {
  const [prefix, kind, word] = actionId.split(':');
  const target = parseValue(value);
  if (prefix !== 'golive' || !target) return undefined;
  const release = target.r;
  if (kind === 'answer' && target.c && isAnswer(word)) {
    return { release, command: { name: 'answer-form', criterion: { id: target.c }, answer: word }, text: `/release confirm ${target.c} ${word} (button)` };
  }
  if (kind === 'signoff' && target.g && (word === 'agree' || word === 'disagree')) {
    return { release, command: { name: 'signoff', group: target.g, verdict: word }, text: `/release signoff ${target.g} ${word} (button)` };
  }
  if (kind === 'decide' && (word === 'go' || word === 'no-go')) {
    return { release, command: { name: 'decide', verdict: word }, text: `/release decide ${word} (button)` };
  }
  return undefined;
}

/** Checks a submitted form without writing anything, so field errors can go back into the form itself. */
export function checkForm(formId: string, metadata: string, values: Record<string, string>): FormCheck {
  let meta: AnswerFormMetadata | undefined;
  try {
    const parsed = AnswerFormMetadata.safeParse(JSON.parse(metadata));
    if (parsed.success) meta = parsed.data;
  } catch {
    meta = undefined;
  }
  if (formId !== ANSWER_FORM || !meta) return { kind: 'unknown' };

  const errors: Record<string, string> = {};
  const evidence = (values.evidence ?? '').split(/\s+/).filter((s) => s !== '');
  const bad = evidence.filter((url) => !HttpUrl.safeParse(url).success);
  if (bad.length > 0) errors.evidence = `Not an http(s) link: ${bad.slice(0, 3).join(', ')}`;
  if (evidence.length > 20) errors.evidence = 'At most 20 links.';
  const comment = (values.comment ?? '').trim();
  if (meta.a !== 'met' && comment === '') errors.comment = `Say why: a "${ANSWER_WORDS[meta.a]}" answer needs a comment.`;
  if (comment.length > 3000) errors.comment = 'At most 3000 characters.';
  if (Object.keys(errors).length > 0) return { kind: 'errors', errors };

  const quoted = comment ? ` "${comment.replace(/["\\]/g, (c) => `\\${c}`)}"` : '';
  const text = `/release confirm ${meta.c} ${meta.a}${quoted}${evidence.map((url) => ` --evidence ${url}`).join('')} (form)`;
  return { kind: 'ok', release: meta.r, command: { name: 'confirm', criterion: { id: meta.c }, answer: meta.a, ...(comment && { comment }), evidence }, text };
}

/** Field errors said in one message, for a platform that cannot put them back into the form. */
export function formErrorsMessage(errors: Record<string, string>): string {
  return `Nothing was recorded: ${Object.entries(errors)
    .map(([field, message]) => `${field}: ${message}`)
    .join(' ')}`;
}
