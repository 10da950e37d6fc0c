import type { GoliveApp } from '../app.js';
import { ActionValue, AnswerFormMetadata, ANSWER_FORM } from '../language/action-ids.js';
import { authorizeAnswer } from './authz.js';
import { changeRelease, RecordedBefore } from './change.js';
import type { CommandRequest } from '../app.js';
import { errorReply, quarantineMessage } from '../context.js';
import { Refusal, type Actor, type Reply, type RequestRef } from '../request.js';
import type { Channel } from '../../domain/release.js';
import { HttpUrl } from '../../domain/primitives.js';
import type { Form, View } from '../../views/elements.js';
import { t } from '../../views/elements.js';
import { refusalView } from '../../views/messages.js';
import { todoViewFor } from './todo.js';
import { closedMessage } from './closed.js';
import { ANSWER_WORDS } from '../../views/format.js';

// Buttons and forms, turned into the same typed commands the grammar produces, so a click is
// authorised, recorded and audited exactly as the typed command would be.

export type ActionOutcome = { kind: 'form'; form: Form } | { kind: 'replies'; replies: Reply[] };
export type FormOutcome = { kind: 'errors'; errors: Record<string, string> } | { kind: 'replies'; replies: Reply[] };
/** A submitted form checked before anything is written: field errors, a form golive does not know, or the command it makes. */
export type FormCheck = { kind: 'errors'; errors: Record<string, string> } | { kind: 'unknown' } | { kind: 'ok'; release: string; command: CommandRequest['command']; text: string };

interface Origin {
  actor: Actor;
  channel?: Channel;
}

const UNKNOWN = 'That button is not one golive knows (it may come from an older message). Run `/release status` for the current checklist.';

function parseValue(value: string): ActionValue | undefined {
  try {
    const parsed = ActionValue.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function handleAction(app: GoliveApp, origin: Origin, actionId: string, value: string, request: RequestRef = {}): Promise<ActionOutcome> {
  const [prefix, kind, word] = actionId.split(':');
  const target = parseValue(value);
  if (prefix !== 'golive' || !target) return { kind: 'replies', replies: [errorReply(UNKNOWN)] };
  const base = { actor: origin.actor, ...(origin.channel && { channel: origin.channel }), release: target.r, ...request };

  if (kind === 'answer' && target.c && (word === 'met' || word === 'not-met' || word === 'need-info')) {
    return answerForm(app, origin, target.r, target.c, word, request);
  }
  if (kind === 'signoff' && target.g && (word === 'agree' || word === 'disagree')) {
    const replies = await app.execute({ ...base, command: { name: 'signoff', group: target.g, verdict: word }, text: `/release signoff ${target.g} ${word} (button)` });
    return { kind: 'replies', replies };
  }
  if (kind === 'decide' && (word === 'go' || word === 'no-go')) {
    const replies = await app.execute({ ...base, command: { name: 'decide', verdict: word }, text: `/release decide ${word} (button)` });
    return { kind: 'replies', replies };
  }
  return { kind: 'replies', replies: [errorReply(UNKNOWN)] };
}

/** Checks the person may answer before showing the form: a refusal is told and audited at once. */
async function answerForm(app: GoliveApp, origin: Origin, releaseId: string, criterionId: string, answer: 'met' | 'not-met' | 'need-info', request: RequestRef): Promise<ActionOutcome> {
  const { store, clock } = app.deps;
  const auditKey = app.deps.audit?.key;
  const release = store.get(releaseId)?.release;
  const criterion = release?.criteria.find((c) => c.id === criterionId);
  if (!release || !criterion) return { kind: 'replies', replies: [errorReply(`Release "${releaseId}" has no criterion "${criterionId}" any more. Run \`/release status\`.`)] };
  const quarantine = store.quarantine(releaseId);
  if (quarantine) return { kind: 'replies', replies: [errorReply(quarantineMessage(release.name, releaseId, quarantine))] };
  const closed = closedMessage(release);
  if (closed !== undefined) return { kind: 'replies', replies: [errorReply(closed)] };
  try {
    authorizeAnswer(release, criterion, origin.actor);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    try {
      await changeRelease(store, releaseId, { actor: origin.actor, command: `/release confirm ${criterionId} ${answer} (button)`, now: clock.now(), auditKey, ...request }, () => {
        throw error;
      });
    } catch (recorded) {
      // Replayed after a restart that had already audited this refusal: told again, not audited twice.
      if (!(recorded instanceof RecordedBefore)) throw recorded;
    }
    return { kind: 'replies', replies: [{ kind: 'view', visibility: 'private', view: refusalView(error.message) }] };
  }
  const needsComment = answer !== 'met';
  const form: Form = {
    id: ANSWER_FORM,
    title: `${answer === 'met' ? 'Met' : answer === 'not-met' ? 'Not met' : 'Need info'}: criterion ${criterion.number}`,
    submit: 'Record answer',
    intro: [t(`${release.name}, criterion ${criterion.number} (${criterion.id}): ${criterion.text}`)],
    fields: [
      { id: 'evidence', label: 'Evidence links', kind: 'links', multiline: true, required: false, hint: 'One http:// or https:// link per line.' },
      { id: 'comment', label: needsComment ? 'Why? (required)' : 'Comment', kind: 'text', multiline: true, required: needsComment },
    ],
    metadata: JSON.stringify({ r: release.id, c: criterion.id, a: answer } satisfies AnswerFormMetadata),
  };
  return { kind: 'form', form };
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

export async function submitForm(app: GoliveApp, origin: Origin, formId: string, metadata: string, values: Record<string, string>, request: RequestRef = {}): Promise<FormOutcome> {
  const checked = checkForm(formId, metadata, values);
  if (checked.kind === 'errors') return checked;
  if (checked.kind === 'unknown') return { kind: 'replies', replies: [errorReply('That form is not one golive knows. Run `/release status` and answer from the checklist.')] };
  const replies = await app.execute({
    actor: origin.actor,
    ...(origin.channel && { channel: origin.channel }),
    release: checked.release,
    command: checked.command,
    text: checked.text,
    ...request,
  });
  return { kind: 'replies', replies };
}

/** What waits for this person, across every release: the same list as `todo`. */
export function homeFor(app: GoliveApp, actor: Actor): View {
  return todoViewFor(app.deps.store, actor.id, app.deps.clock.now());
}
