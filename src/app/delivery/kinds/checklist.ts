import { evaluate } from '../../../domain/readiness.js';
import { checklistView } from '../../../views/checklist.js';
import type { KindRenderer } from '../kind-renderer.js';

// Both are the checklist as it is at delivery: an update stores nothing but which post it edits,
// so any number of changes before it is sent make one edit.

export const checklist: KindRenderer<'checklist'> = {
  words: 'Checklist',
  render: (_message, doc, now) => checklistView(doc.release, evaluate(doc.release, now), now),
};

export const checklistUpdate: KindRenderer<'checklist-update'> = {
  words: 'Checklist update',
  render: (_message, doc, now) => checklistView(doc.release, evaluate(doc.release, now), now),
};
