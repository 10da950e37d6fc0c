import type { Command } from './language/commands.js';
import { parse } from './language/parser.js';
import { Ctx, errorReply, type AppDeps } from './context.js';
import { selvesOf, UserError, type Actor, type Origin, type Reply, type Request, type RequestRef } from './request.js';
import { StoreError } from './store-port.js';
import { RecordedBefore } from './usecases/change.js';
import { recordedBeforeReply } from './usecases/result.js';
import { handleCreate } from './usecases/create.js';
import { handleDate, handleDelegate, handleLink, handleManager, handleOwner, handleRole } from './usecases/setup.js';
import { handleConfirm, handleDecide, handleSignoff } from './usecases/answers.js';
import { handleSignoffWithdraw, handleWithdraw } from './usecases/withdraw.js';
import { handleGroup, handleRisk, handleSwitch } from './usecases/register.js';
import { handleFacts } from './usecases/facts.js';
import { handleAuditExport, handleAuditVerify, handleList, handleReport, handleStatus } from './usecases/reading.js';
import { handleHistory, handleRiskList, handleSwitchList } from './usecases/history.js';
import { handleHelp } from './usecases/help.js';
import { handleAsk } from './usecases/ask.js';
import { handleClose, handleTodo } from './usecases/close.js';
import { handleNotify } from './usecases/notify.js';
import { sanitizeRequest } from './language/sanitize.js';
import { lookAhead } from './look-ahead.js';
import { handleSchedule, handleScheduleSet, handleScheduleSwitch } from './usecases/schedule.js';
import { handleAnswerForm } from './usecases/answer-form.js';
import { actionCommand, checkForm, formErrorsMessage, UNKNOWN_ACTION, UNKNOWN_FORM, type FormCheck } from './usecases/interactions.js';
import { todoViewFor } from './usecases/todo.js';
import { ownButtons } from './usecases/viewer-checklist.js';
import { checklistView } from '../views/checklist.js';
import { evaluate } from '../domain/readiness.js';
import { handleWhoami, handleWhoamiLink, handleWhoamiUnlink } from './usecases/whoami.js';
import type { PersonId } from '../domain/person-id.js';
import type { View } from '../views/elements.js';

/** A command already in typed form: from a button, a form, or a parsed line. */
export interface CommandRequest {
  actor: Request['actor'];
  channel?: Request['channel'];
  command: Command;
  release?: string;
  /** What goes in the audit entry as the command typed. */
  text: string;
  requestId?: string;
  replay?: boolean;
}

export interface HandleResult {
  replies: Reply[];
  /** False when the text did not parse: the console exits 1 on piped input with such a line. */
  parsed: boolean;
}

/**
 * The one way into golive: every adapter calls it with what a person typed (`handle`), pressed
 * (`act`) or submitted (`submit`), and each becomes a typed command run by `execute`, so every
 * change is authorised, recorded and audited alike, and a failed write is said alike.
 */
export class GoliveApp {
  constructor(readonly deps: AppDeps) {}

  async handle(request: Request): Promise<HandleResult> {
    const parsed = parse(request.text);
    if (!parsed.ok) {
      const { message, usage, suggestion } = parsed.error;
      return { parsed: false, replies: [errorReply(suggestion ? `${message} Did you mean \`${suggestion}\`?` : message, usage)] };
    }
    const { command, release } = parsed.value;
    const replies = await this.execute({
      actor: request.actor,
      ...(request.channel && { channel: request.channel }),
      command,
      ...(release && { release }),
      text: request.text.trim(),
      ...(request.requestId !== undefined && { requestId: request.requestId }),
      ...(request.replay && { replay: true }),
    });
    return { parsed: true, replies };
  }

  /** A button pressed: the command it stands for, run by `execute`. A form to fill in comes back as a `form` reply. */
  async act(origin: Origin, actionId: string, value: string, ref: RequestRef = {}): Promise<Reply[]> {
    const interaction = actionCommand(actionId, value);
    if (!interaction) return [errorReply(UNKNOWN_ACTION)];
    return this.execute({ actor: origin.actor, ...(origin.channel && { channel: origin.channel }), ...interaction, ...ref });
  }

  /** A form sent: checked, then the command it makes, run by `execute`. */
  async submit(origin: Origin, formId: string, metadata: string, values: Record<string, string>, ref: RequestRef = {}): Promise<Reply[]> {
    const checked = this.checkForm(formId, metadata, values);
    if (checked.kind === 'unknown') return [errorReply(UNKNOWN_FORM)];
    // A platform that shows field errors in the form checks first (checkForm); this is for one that cannot.
    if (checked.kind === 'errors') return [errorReply(formErrorsMessage(checked.errors))];
    const { kind: _ok, ...interaction } = checked;
    return this.execute({ actor: origin.actor, ...(origin.channel && { channel: origin.channel }), ...interaction, ...ref });
  }

  /** A form's fields checked without writing anything, so a platform can show the errors in the form itself. */
  checkForm(formId: string, metadata: string, values: Record<string, string>): FormCheck {
    return checkForm(formId, metadata, values);
  }

  /** What waits for this person, across every release: the same list as `todo`, for a home tab. */
  async home(actor: Actor): Promise<View> {
    return todoViewFor(this.deps.store, selvesOf(await this.withAliases(actor)), this.deps.clock.now());
  }

  /**
   * The checklist of `releaseId` as `viewer` should see it: the buttons they may press only, their
   * linked identities counted. None for a release that does not exist or fails verification.
   */
  async checklistFor(releaseId: string, viewer: Actor): Promise<View | undefined> {
    const stored = await this.deps.store.get(releaseId);
    if (!stored || (await this.deps.store.quarantine(releaseId))) return undefined;
    const { release } = stored;
    const now = this.deps.clock.now();
    return ownButtons(checklistView(release, evaluate(release, now), now), release, await this.withAliases(viewer));
  }

  /** The actor with the identities they linked on other platforms, which count as them: read for each request, so a link made elsewhere counts at once. */
  private async withAliases(actor: Actor): Promise<Actor> {
    const aliases = (await this.deps.identities?.aliases(actor.id))?.filter((id) => id !== actor.id) as PersonId[] | undefined;
    return aliases && aliases.length > 0 ? { ...actor, aliases } : actor;
  }

  async execute(unchecked: CommandRequest): Promise<Reply[]> {
    try {
      // Typed lines, buttons and forms all pass here: their text is made safe once, before any handler.
      const request = sanitizeRequest(unchecked);
      const lookedAhead = lookAhead(this.deps.store, request.command, request.channel, request.release);
      const ctx = new Ctx(
        this.deps,
        await this.withAliases(request.actor),
        request.channel,
        request.text,
        this.deps.clock.now(),
        request.release,
        { requestId: request.requestId, replay: request.replay },
        lookedAhead,
      );
      return await dispatch(ctx, request.command);
    } catch (error) {
      if (error instanceof RecordedBefore) return [recordedBeforeReply(error)];
      if (error instanceof UserError) return [errorReply(error.message, error.usage)];
      if (error instanceof StoreError) return [errorReply(`Nothing was saved: ${error.message}`)];
      // The store keeps its last durable state when a write fails, so the person can simply retry.
      this.deps.log?.(`unexpected failure handling ${JSON.stringify(unchecked.text)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return [errorReply('Something went wrong and nothing was recorded. Please try again; if it keeps failing, tell whoever runs golive.')];
    }
  }
}

function dispatch(ctx: Ctx, command: Command): Promise<Reply[]> | Reply[] {
  switch (command.name) {
    case 'help':
      return handleHelp(command.topic);
    case 'create':
      return handleCreate(ctx, command);
    case 'list':
      return handleList(ctx);
    case 'status':
      return handleStatus(ctx, command);
    case 'link':
      return handleLink(ctx);
    case 'ask':
      return handleAsk(ctx);
    case 'role':
      return handleRole(ctx, command);
    case 'manager':
      return handleManager(ctx, command);
    case 'delegate':
      return handleDelegate(ctx, command);
    case 'owner':
      return handleOwner(ctx, command);
    case 'confirm':
      return handleConfirm(ctx, command);
    case 'group':
      return handleGroup(ctx, command);
    case 'signoff':
      return handleSignoff(ctx, command);
    case 'withdraw':
      return handleWithdraw(ctx, command);
    case 'signoff-withdraw':
      return handleSignoffWithdraw(ctx, command);
    case 'risk-add':
    case 'risk-mitigate':
    case 'risk-view':
    case 'risk-accept':
    case 'risk-close':
      return handleRisk(ctx, command);
    case 'switch-add':
    case 'switch-set':
      return handleSwitch(ctx, command);
    case 'facts-defects':
    case 'facts-issues':
    case 'facts-phase':
    case 'facts-environment':
    case 'facts-update':
      return handleFacts(ctx, command);
    case 'date':
      return handleDate(ctx, command);
    case 'decide':
      return handleDecide(ctx, command);
    case 'close':
      return handleClose(ctx, command);
    case 'todo':
      return handleTodo(ctx);
    case 'whoami':
      return handleWhoami(ctx);
    case 'whoami-link':
      return handleWhoamiLink(ctx, command);
    case 'whoami-unlink':
      return handleWhoamiUnlink(ctx, command);
    case 'answer-form':
      return handleAnswerForm(ctx, command);
    case 'notify':
      return handleNotify(ctx, command);
    case 'schedule':
      return handleSchedule(ctx);
    case 'schedule-set':
      return handleScheduleSet(ctx, command);
    case 'schedule-off':
    case 'schedule-on':
      return handleScheduleSwitch(ctx, command);
    case 'report':
      return handleReport(ctx);
    case 'history':
      return handleHistory(ctx, command);
    case 'switch-list':
      return handleSwitchList(ctx);
    case 'risk-list':
      return handleRiskList(ctx);
    case 'audit-verify':
      return handleAuditVerify(ctx, command);
    case 'audit-export':
      return handleAuditExport(ctx, command);
  }
}
