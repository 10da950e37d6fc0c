import type { Command } from '../language/commands.js';
import type { Ctx } from '../context.js';
import { ANSWER_FORM, type AnswerFormMetadata } from '../language/action-ids.js';
import { Refusal, UserError, type Reply } from '../request.js';
import type { Criterion, Release } from '../../domain/release.js';
import { authorizeAnswer } from './authz.js';
import { closedMessage } from './closed.js';
import { reply } from './result.js';
import { refusalView } from '../../views/messages.js';
import { t, type Form } from '../../views/elements.js';

type AnswerFormCommand = Extract<Command, { name: 'answer-form' }>;

/**
 * An answer button: the person is checked before the form opens, so someone who may not answer
 * is told at once (and the attempt audited) instead of after filling it in.
 */
export async function handleAnswerForm(ctx: Ctx, cmd: AnswerFormCommand): Promise<Reply[]> {
  const { id: releaseId, release } = await ctx.stored();
  const criterion = release.criteria.find((c) => c.id === cmd.criterion.id);
  if (!criterion) throw new UserError(`Release "${releaseId}" has no criterion "${cmd.criterion.id}" any more. Run \`/release status\`.`);
  const closed = closedMessage(release);
  if (closed !== undefined) throw new UserError(closed);
  try {
    authorizeAnswer(release, criterion, ctx.actor);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    // Recorded like any refused command; a failed write reaches `execute`, which says nothing was saved.
    const outcome = await ctx.change(releaseId, () => {
      throw error;
    });
    return [reply(refusalView(outcome.applied ? error.message : outcome.refusal))];
  }
  return [{ kind: 'form', visibility: 'private', form: answerForm(release, criterion, cmd.answer) }];
}

function answerForm(release: Release, criterion: Criterion, answer: AnswerFormCommand['answer']): Form {
  const needsComment = answer !== 'met';
  return {
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
}
