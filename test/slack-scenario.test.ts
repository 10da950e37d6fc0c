import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseDocument } from '../store/release-document.js';
import { verifyChain } from '../src/domain/audit.js';
import { SlackHarness, CHANNEL } from './support/slack-harness.js';
import { readRaw } from './support/release-on-disk.js';

// The seed scenario driven entirely through signed Slack requests by several people: commands,
// buttons and modals, with the checklist message edited in place.
const RITA = 'URITA';
const DAN = 'UDAN';
const SAM = 'USAM';
const PAT = 'UPAT';
const MALLORY = 'UMALLORY';
const R = 'nov-2019-sec';
const value = (v: object) => JSON.stringify(v);
const isChecklist = (c: { method: string; body: Record<string, unknown> }) => c.body.channel === CHANNEL && JSON.stringify(c.body.blocks ?? '').includes('Go-live checklist');

describe('the November 2019 SEC Release, through Slack', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.open();
    h.fake.setUsergroup('SPANEL', [PAT]);
  });
  afterAll(() => h.close());

  /** Clicks an answer button and fills in the modal it opens, as the owner would. */
  async function answer(user: string, criterion: string, kind: 'met' | 'not-met' | 'need-info', fields: { evidence?: string; comment?: string }) {
    const opened = h.fake.callsTo('views.open').length;
    await h.click(user, `golive:answer:${kind}`, value({ r: R, c: criterion }));
    const modal = h.fake.callsTo('views.open')[opened];
    expect(modal, `no modal for ${criterion}`).toBeDefined();
    const view = modal!.body.view as { callback_id: string; private_metadata: string };
    return h.submit(user, view.callback_id, view.private_metadata, { evidence: { evidence: fields.evidence ?? '' }, comment: { comment: fields.comment ?? '' } });
  }

  it('sets up the release from slash commands, with mentions and a user group', async () => {
    const lines = [
      'create "November 2019 SEC Release" 2019-11-29 --template sec-release --id nov-2019-sec',
      `role DCC <@${DAN}>`,
      `role SECAS <@${SAM}|sam>`,
      'role Panel <!subteam^SPANEL|@panel>',
      'group opsg members <@UOLIVIA> <@UOSCAR> --quorum 2 --meeting 2019-11-08',
      'group tag members <@UTARA> <@UTOM> --meeting 2019-11-08 --delegate <@UTESS> for <@UTARA>',
      'facts defects sev1=0 sev2=0 sev3=4 sev4=7 sev5=2 --plans yes',
      'facts issues 12 --threshold 30',
      'facts phase SIT closed',
      'facts phase UIT closed',
      'facts environment "Final stages of SIT completed in SIT A"',
      'switch SECMP0062 off',
    ];
    for (const line of lines) {
      const { status } = await h.command(RITA, line);
      expect(status, line).toBe(200);
    }
    const release = (await h.doc(R)).release;
    // Slack's mentions and its user group arrive in the record as Slack people.
    expect(release.roles).toMatchObject({ DCC: [`slack:${DAN}`], SECAS: [`slack:${SAM}`], Panel: [`slack:${PAT}`] });
    expect(release.groups[1]!.delegates).toEqual([{ delegate: 'slack:UTESS', for: 'slack:UTARA' }]);
    expect(release.managers).toEqual([`slack:${RITA}`]);
    expect(release.channels).toEqual([{ platform: 'slack', id: CHANNEL }]);
  });

  it('posts the checklist to the channel, mentioning owners, with buttons', async () => {
    await h.command(RITA, 'ask');
    const posts = h.fake.callsTo('chat.postMessage').filter(isChecklist);
    expect(posts).toHaveLength(1);
    const text = JSON.stringify(posts[0]!.body.blocks);
    expect(text).toContain(`<@${DAN}>`);
    expect(text).toContain('golive:answer:met');
    expect(text).toContain('golive:signoff:agree');
    expect(text).toContain('golive:decide:go');
  });

  it('refuses a button from someone who does not own the criterion, privately, and audits it', async () => {
    const before = h.fake.calls.length;
    await h.click(MALLORY, 'golive:answer:met', value({ r: R, c: 'code-ready' }));
    expect(h.repliesSince(before, MALLORY)).toContain(`is owned by <@${DAN}>`);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
    expect((await h.doc(R)).audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: `slack:${MALLORY}`, platform: 'slack' } });
  });

  it('keeps a modal open with the field errors when a comment or a link is wrong', async () => {
    const missing = await answer(DAN, 'ops-ready', 'need-info', { comment: '' });
    expect(missing.json).toMatchObject({ response_action: 'errors', errors: { comment: expect.stringContaining('needs a comment') } });
    const badLink = await answer(DAN, 'ops-ready', 'met', { evidence: 'javascript:alert(1)' });
    expect(badLink.json).toMatchObject({ response_action: 'errors', errors: { evidence: expect.stringContaining('javascript:alert(1)') } });
    expect((await h.doc(R)).release.criteria[5]!.responses).toEqual([]);
  });

  it('records each owner answer from the modal and edits the checklist in place each time', async () => {
    const ids = ['code-ready', 'test-phases-closed', 'no-sev1-sev2', 'defect-plans', 'environments-aligned', 'ops-ready'];
    for (const id of ids) {
      const result = await answer(DAN, id, 'met', { evidence: `https://example.org/${id}\nhttps://example.org/${id}/more`, comment: 'done' });
      expect(result.status).toBe(200);
    }
    await answer(SAM, 'secas-ready', 'met', { evidence: 'https://example.org/secas' });
    const criteria = (await h.doc(R)).release.criteria;
    expect(criteria.map((c) => c.responses.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(criteria[0]!.responses[0]).toMatchObject({ answer: 'met', by: `slack:${DAN}`, platform: 'slack', evidence: ['https://example.org/code-ready', 'https://example.org/code-ready/more'] });
    const post = h.fake.callsTo('chat.postMessage').find(isChecklist)!;
    const updates = h.fake.callsTo('chat.update');
    expect(updates.length).toBeGreaterThanOrEqual(7);
    for (const u of updates) expect(u.body).toMatchObject({ channel: CHANNEL, ts: post.response?.ts });
    expect(JSON.stringify(updates.at(-1)!.body.blocks)).toContain(`met* by <@${SAM}>`);
  });

  it('takes sign-offs (also by a delegate) and the Panel decision from buttons, then says GO', async () => {
    // The groups consider the risk before they sign off: an open risk added after their
    // sign-offs would worsen the verdict and make those sign-offs stale.
    for (const line of [
      'risk add "There is a risk that SECMP0062 will be deployed ON in a future release without Panel approval" --owner <@UDAN>',
      'risk mitigate 1 "Transition Team reviews release notes until SECMP0062 goes live"',
      'risk mitigate 1 "Release Team tracks SECMP0062 into a future release"',
      'risk mitigate 1 "Switches can only be turned on in a build of a future release"',
      'risk view 1 opsg "Accepted subject to the Runbook check and TOC alerts"',
    ]) {
      await h.command(RITA, line);
    }
    await h.click('UOLIVIA', 'golive:signoff:agree', value({ r: R, g: 'opsg' }));
    await h.click('UOSCAR', 'golive:signoff:agree', value({ r: R, g: 'opsg' }));
    await h.click('UTESS', 'golive:signoff:agree', value({ r: R, g: 'tag' }));
    await h.command(RITA, 'risk accept 1 --conditions "Runbook check; TOC monitors switch alerts"');
    await h.click(PAT, 'golive:decide:go', value({ r: R }));
    const release = (await h.doc(R)).release;
    expect(release.groups[1]!.signoffs[0]).toMatchObject({ verdict: 'agree', by: 'slack:UTESS', onBehalfOf: 'slack:UTARA' });
    expect(release.decisions).toHaveLength(1);

    const { reply } = await h.command(RITA, 'status');
    expect(reply).toContain('November 2019 SEC Release: GO');
    expect(JSON.stringify(h.fake.callsTo('chat.update').at(-1)!.body.blocks)).toContain('Go-live checklist: November 2019 SEC Release: GO');
  });

  it('keeps one intact audit chain on disk for every answer', async () => {
    const doc = ReleaseDocument.parse(await readRaw(h.dir, R));
    expect(verifyChain(doc.audit).ok).toBe(true);
    expect(doc.audit.filter((e) => e.outcome === 'refused')).toHaveLength(1);
    expect(doc.audit.filter((e) => e.command.startsWith('/release confirm') && e.outcome === 'applied')).toHaveLength(7);
    expect(doc.outbox.filter((m) => m.status === 'pending')).toEqual([]);
  });

  it('posts the decision paper to the channel as a Markdown file', async () => {
    await h.command(RITA, 'report');
    const upload = h.fake.uploads.at(-1)!;
    expect(upload).toMatchObject({ channel_id: CHANNEL, filename: `${R}-decision-paper.md` });
    expect(upload.content).toContain('# Approval to implement the November 2019 SEC Release');
    expect(upload.content).toContain('AGREE that the November 2019 SEC Release can be set live on 29 Nov 2019');
  });
});
