import type { Action } from '../../src/views/elements.js';
import { ActionIds } from '../../src/app/language/action-ids.js';
import type { ActionSet, CardAction, Execute, RichTextBlock } from './card-types.js';
import { oneLine, runText } from './card-text.js';

// Neutral actions as universal actions: each button is an Action.Execute whose verb is the neutral
// action id and whose data carries the neutral value, so the invoke handler reads exactly what a
// Slack listener reads.
//
// Adaptive Cards have no confirmation dialog. The answer buttons (Met, Not met, Need info) need
// none: they only open the answer form, and the form is the second step. Any other action that
// asks for a confirmation (a sign-off, the GO / NO-GO decision) becomes an Action.ShowCard that
// unfolds the confirmation text and the real button under it, so one mis-tap on a phone never
// decides anything.

export const ACTION_LIMITS = {
  /** Microsoft's renderer and Teams show at most five buttons in a row. */
  perSet: 5,
  title: 75,
  confirmText: 300,
} as const;

const OPENS_A_FORM: ReadonlySet<string> = new Set(Object.values(ActionIds.answer));

const STYLE = { primary: 'positive', danger: 'destructive' } as const;

function execute(action: Action, title: string): Execute {
  const button: Execute = { type: 'Action.Execute', title: oneLine(title, ACTION_LIMITS.title) || action.id, verb: action.id, data: { value: action.value } };
  if (action.style) button.style = STYLE[action.style];
  return button;
}

const line = (text: string, bold = false): RichTextBlock => ({
  type: 'RichTextBlock',
  inlines: [bold ? { type: 'TextRun', text: runText(text), weight: 'Bolder' } : { type: 'TextRun', text: runText(text) }],
});

export function cardAction(action: Action): CardAction {
  const confirm = action.confirm;
  if (!confirm || OPENS_A_FORM.has(action.id)) return execute(action, action.label);
  const title = oneLine(action.label, ACTION_LIMITS.title) || action.id;
  const body = [
    line(oneLine(confirm.title, ACTION_LIMITS.title) || 'Are you sure?', true),
    line(oneLine(confirm.text, ACTION_LIMITS.confirmText) || oneLine(confirm.title, ACTION_LIMITS.confirmText) || 'Are you sure?'),
    { ...line(`Tap "${title}" again to close this without acting.`), spacing: 'Small' as const },
  ];
  const card: CardAction = { type: 'Action.ShowCard', title, card: { type: 'AdaptiveCard', body, actions: [execute(action, oneLine(confirm.yes, ACTION_LIMITS.title) || 'Yes')] } };
  if (action.style) card.style = STYLE[action.style];
  return card;
}

/** Buttons in rows of at most five, in order. */
export function actionSets(actions: readonly Action[]): ActionSet[] {
  const sets: ActionSet[] = [];
  for (let i = 0; i < actions.length; i += ACTION_LIMITS.perSet) {
    sets.push({ type: 'ActionSet', actions: actions.slice(i, i + ACTION_LIMITS.perSet).map(cardAction) });
  }
  return sets;
}
