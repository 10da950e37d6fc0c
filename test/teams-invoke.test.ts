import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseDocument } from '../store/release-document.js';
import { CHANNEL, type TeamsUser, type Where } from './support/teams-activities.js';
import { TeamsHarness } from './support/teams-harness.js';
import { buttonsOf, cardText, cardsOf, inputsOf, invokeCard as readInvokeCard, messageText } from './support/teams-cards-read.js';
import { cardProblems } from './teams-cards-validate.js';
import { readRaw } from './support/release-on-disk.js';

// Buttons on the checklist card (Action.Execute, sent to golive as `adaptiveCard/action` invokes):
// an owner answers through the form card, anyone else is refused privately and the attempt
// audited, and the checklist card posted in the channel is edited in place after each answer.

const RITA: TeamsUser = { id: '29:1rita-reyes', name: 'Rita Reyes' };
const DAN: TeamsUser = { id: '29:1dan-daly', name: 'Dan Daly' };
const SAM: TeamsUser = { id: '29:1sam-sato', name: 'Sam Sato' };
const MALLORY: TeamsUser = { id: '29:1mallory', name: 'Mallory' };
const R = 'nov-2019-sec';
const value = (v: object) => JSON.stringify(v);

describe('Teams card actions', () => {
  let h: TeamsHarness;
  /** Every card an invoke answered with, checked against Adaptive Cards 1.5 at the end. */
  const answered: object[] = [];
  const invokeCard = (json: unknown) => {
    const card = readInvokeCard(json);
    answered.push(card);
    return card;
  };
  let checklistId: string;
  /** Presses on the checklist card happen in its thread in the channel. */
  let onChecklist: Where;

  beforeAll(async () => {
    h = await TeamsHarness.open();
    const lines = ['release create "November 2019 SEC Release" 2019-11-29 --template sec-release --id nov-2019-sec', 'release role DCC @{Dan Daly}', 'release role SECAS @{Sam Sato}'];
    for (const line of lines) await h.send(h.activities.message(RITA, line, { kind: 'channel' }, { 'Dan Daly': DAN, 'Sam Sato': SAM }));
    expect((await h.doc(R)).release.roles).toMatchObject({ DCC: [`teams:${DAN.id}`] });
  });
  afterAll(() => h.close());

  const press = (user: TeamsUser, verb: string, data: Record<string, unknown>, where = onChecklist) => h.send(h.activities.cardAction(user, verb, data, where));

  it('`release ask` posts the checklist to the channel as a card with answer buttons', async () => {
    await h.send(h.activities.message(RITA, 'release ask', { kind: 'channel' }));
    const posts = h.fake.messagesIn(CHANNEL);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.kind).toBe('send');
    const [card] = cardsOf(posts[0]!.body);
    expect(cardText(card)).toContain('Go-live checklist');
    expect(buttonsOf(card).map((b) => b.verb)).toEqual(expect.arrayContaining(['golive:answer:met', 'golive:answer:not-met', 'golive:signoff:agree', 'golive:decide:go']));
    checklistId = String(posts[0]!.response?.id);
    onChecklist = { kind: 'channel', thread: checklistId };
  });

  it('shows the owner the answer form, only to them, with nothing written', async () => {
    const audit = (await h.doc(R)).audit.length;
    const answer = await press(DAN, 'golive:answer:not-met', { value: value({ r: R, c: 'code-ready' }) });
    expect(answer.status).toBe(200);
    const form = invokeCard(answer.json);
    expect(inputsOf(form)).toEqual(['evidence', 'comment']);
    expect(cardText(form)).toContain('code-ready');
    expect(buttonsOf(form).map((b) => b.verb)).toEqual(['golive:form:submit', 'golive:form:cancel']);
    expect((await h.doc(R)).audit.length).toBe(audit);
    // Shown in the invoke's answer only: nothing posted anywhere.
    expect(h.fake.messagesIn(CHANNEL)).toHaveLength(1);
  });

  it('sends the form back with what is wrong, keeping what was typed, when a Not met has no comment', async () => {
    const form = invokeCard((await press(DAN, 'golive:answer:not-met', { value: value({ r: R, c: 'code-ready' }) })).json);
    const submit = buttonsOf(form).find((b) => b.verb === 'golive:form:submit')!;
    const again = await press(DAN, 'golive:form:submit', { ...submit.data, evidence: 'https://ci.example/42', comment: '  ' });
    const card = invokeCard(again.json);
    expect(inputsOf(card)).toEqual(['evidence', 'comment']);
    expect(cardText(card)).toContain('needs a comment');
    expect(JSON.stringify(card)).toContain('https://ci.example/42');
    expect((await h.doc(R)).release.criteria.find((c) => c.id === 'code-ready')!.responses).toEqual([]);
  });

  it('records the answer, on disk, as Dan’s Teams identity; answers with the checklist; edits the channel’s card in place', async () => {
    const form = invokeCard((await press(DAN, 'golive:answer:not-met', { value: value({ r: R, c: 'code-ready' }) })).json);
    const submit = buttonsOf(form).find((b) => b.verb === 'golive:form:submit')!;
    const done = await press(DAN, 'golive:form:submit', { ...submit.data, evidence: 'https://ci.example/42', comment: 'Build 42 failed <again> & again' });
    const card = invokeCard(done.json);
    expect(cardText(card)).toContain('Go-live checklist');
    const onDisk = ReleaseDocument.parse(await readRaw(h.dir, R));
    const response = onDisk.release.criteria.find((c) => c.id === 'code-ready')!.responses.at(-1);
    expect(response).toMatchObject({ answer: 'not-met', by: `teams:${DAN.id}`, platform: 'teams', comment: 'Build 42 failed <again> & again', evidence: ['https://ci.example/42'] });
    const edits = h.fake.delivered('update');
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({ conversationId: CHANNEL, activityId: checklistId });
    expect(messageText(edits[0])).toContain('Build 42 failed <again> & again');
    // Still one checklist in the channel: edited, not posted again.
    expect(h.fake.messagesIn(CHANNEL).filter((c) => c.kind === 'send')).toHaveLength(1);
  });

  it('refuses someone who does not own the criterion, privately, and audits the attempt', async () => {
    const refused = await press(MALLORY, 'golive:answer:met', { value: value({ r: R, c: 'code-ready' }) });
    const card = invokeCard(refused.json);
    expect(cardText(card)).toMatch(/owned by @teams:29:1dan-daly|owned by .*Dan Daly/);
    expect(inputsOf(card)).toEqual([]);
    expect((await h.doc(R)).audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: `teams:${MALLORY.id}`, platform: 'teams' } });
    // Nothing said in the channel or anywhere else: the refusal is the invoke's answer.
    expect(h.fake.messagesIn(CHANNEL).filter((c) => c.kind === 'send')).toHaveLength(1);
  });

  it('handles a retried press once', async () => {
    const secas = (await h.doc(R)).release.criteria.find((c) => c.owners.roles.includes('SECAS'))!;
    const form = invokeCard((await press(SAM, 'golive:answer:met', { value: value({ r: R, c: secas.id }) })).json);
    const submit = buttonsOf(form).find((b) => b.verb === 'golive:form:submit')!;
    const activity = h.activities.cardAction(SAM, 'golive:form:submit', { ...submit.data, evidence: '', comment: 'Done' }, onChecklist);
    const audit = (await h.doc(R)).audit.length;
    await h.send(activity);
    const retry = await h.send(activity);
    expect(retry.status).toBe(200);
    expect(cardText(invokeCard(retry.json))).toContain('Go-live checklist');
    expect((await h.doc(R)).audit.length).toBe(audit + 1);
    expect((await h.doc(R)).release.criteria.find((c) => c.id === secas.id)!.responses).toHaveLength(1);
  });

  it('refreshes the card for each viewer with only their own buttons', async () => {
    const forDan = invokeCard((await press(DAN, 'golive:refresh', { value: value({ r: R }) }, onChecklist)).json);
    const danAnswers = buttonsOf(forDan)
      .filter((b) => b.verb.startsWith('golive:answer:'))
      .map((b) => JSON.parse(String(b.data.value)).c as string);
    const dcc = (await h.doc(R)).release.criteria.filter((c) => c.owners.roles.includes('DCC')).map((c) => c.id);
    expect(new Set(danAnswers)).toEqual(new Set(dcc));
    expect(buttonsOf(forDan).some((b) => b.verb.startsWith('golive:decide:'))).toBe(false);
    const forRita = invokeCard((await press(RITA, 'golive:refresh', { value: value({ r: R }) }, onChecklist)).json);
    expect(buttonsOf(forRita).filter((b) => b.verb.startsWith('golive:answer:'))).toEqual([]);
    expect(cardText(forRita)).toContain('Build 42 failed');
  });

  it('puts the checklist back when the form is cancelled, and writes nothing', async () => {
    const audit = (await h.doc(R)).audit.length;
    const form = invokeCard((await press(DAN, 'golive:answer:met', { value: value({ r: R, c: 'code-ready' }) })).json);
    const cancel = buttonsOf(form).find((b) => b.verb === 'golive:form:cancel')!;
    const back = invokeCard((await press(DAN, 'golive:form:cancel', cancel.data)).json);
    expect(cardText(back)).toContain('Go-live checklist');
    expect((await h.doc(R)).audit.length).toBe(audit);
  });

  it('answers a button golive does not know with a polite card, and nothing else', async () => {
    const audit = (await h.doc(R)).audit.length;
    const answer = await press(DAN, 'golive:launch:missiles', { value: value({ r: R }) });
    expect(answer.status).toBe(200);
    expect(cardText(invokeCard(answer.json))).toContain('not one golive knows');
    expect((await h.doc(R)).audit.length).toBe(audit);
  });

  it('sends and answers with valid Adaptive Cards 1.5 only', () => {
    const sent = h.fake.delivered().flatMap((call) => cardsOf(call.body));
    expect(sent.length).toBeGreaterThan(5);
    expect(answered.length).toBeGreaterThan(10);
    for (const card of [...sent, ...answered]) expect(cardProblems(card), JSON.stringify(card).slice(0, 200)).toEqual([]);
  });
});
