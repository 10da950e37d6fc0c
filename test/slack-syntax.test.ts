import { afterEach, describe, expect, it } from 'vitest';
import { commandText, neutralText } from '../adapters/slack/identity.js';
import { SlackHarness } from './support/slack-harness.js';

// Slack's markup stays in the Slack adapter: what reaches the grammar is the neutral form, and
// what is recorded names Slack people as `slack:U…`.
describe("Slack's text in neutral form", () => {
  it('turns mentions, user groups, links and channels into what the grammar reads', () => {
    expect(neutralText('owner 3 <@U9|bob> <@U10>')).toBe('owner 3 @slack:U9 @slack:U10');
    expect(neutralText('role Panel <!subteam^S0123|@panel> <!subteam^S9>')).toBe('role Panel @@slack:S0123 @@slack:S9');
    expect(neutralText('--evidence <https://ci.example/run?a=1&amp;b=2|run 7> <http://x.example/>')).toBe('--evidence https://ci.example/run?a=1&b=2 http://x.example/');
    expect(neutralText('"see <#C1|general> and <#C2>"')).toBe('"see #general and #C2"');
    expect(neutralText('<mailto:a@b.example|a@b.example> <!date^1392734382^{date}|Feb 18th>')).toBe('a@b.example Feb 18th');
  });

  it('makes a broadcast plain words that ping nobody, and a typed `<`, `>` or `&` the character itself', () => {
    expect(neutralText('"<!channel> <!here|here> <!everyone> look"')).toBe('"@channel @here @everyone look"');
    expect(neutralText('"a &lt;@U1&gt; &amp;lt; b"')).toBe('"a <@U1> &lt; b"');
    expect(commandText('confirm 1 met')).toBe('/release confirm 1 met');
  });
});

describe('Slack people through signed Bolt requests', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('records a mentioned owner as slack:U…, expands a user group, and keeps the link, not its label', async () => {
    h = await SlackHarness.open();
    h.fake.setUsergroup('SOPS', ['UANN', 'UBEN']);
    await h.command('URITA', 'create "Nov" 2019-11-29 --id nov');
    expect((await h.command('URITA', 'owner 3 <@U9|bob>')).status).toBe(200);
    await h.command('URITA', 'role SECAS <!subteam^SOPS|@ops>');
    const { reply } = await h.command('U9', 'confirm 3 need-info "ask in <#C1|general>" --evidence <https://ci.example/run?id=7&amp;x=1|run 7>');
    expect(reply).toContain('Recorded');

    const doc = await h.doc('nov');
    expect(doc.release.managers).toEqual(['slack:URITA']);
    expect(doc.release.criteria[2]!.owners.people).toEqual(['slack:U9']);
    expect(doc.release.roles.SECAS).toEqual(['slack:UANN', 'slack:UBEN']);
    expect(doc.release.criteria[2]!.responses[0]).toMatchObject({ by: 'slack:U9', comment: 'ask in #general', evidence: ['https://ci.example/run?id=7&x=1'], platform: 'slack' });
    // The record holds the command as the grammar read it.
    expect(doc.audit.map((e) => e.command)).toContain('/release owner 3 @slack:U9');
    expect(doc.audit.map((e) => e.command)).toContain('/release role SECAS @@slack:SOPS');
  });

  it('names the owner with a real mention in Slack, and someone of another platform in plain text', async () => {
    h = await SlackHarness.open();
    await h.command('URITA', 'create "Nov" 2019-11-29 --id nov');
    await h.command('URITA', 'owner 1 <@U9> @console:dan');
    const { reply } = await h.command('UMALLORY', 'confirm 1 met');
    expect(reply).toContain('is owned by <@U9>, @dan (console);');
  });

  it('lets nobody of another platform become a Slack person by typing a bare id', async () => {
    h = await SlackHarness.open();
    await h.command('URITA', 'create "Nov" 2019-11-29 --id nov');
    await h.command('URITA', 'owner 1 <@UDAN>');
    // A console operator made manager by name, explicitly of the console.
    await h.command('URITA', 'manager add @console:rita');
    const app = h.serving.app;
    const console = (id: string, text: string) => app.handle({ actor: { id: `console:${id}`, platform: 'console' }, text: `${text} --release nov` });

    // Typing UDAN in the console means the console's UDAN: a different person from Slack's.
    await console('rita', '/release owner 2 @UDAN');
    expect((await h.doc('nov')).release.criteria[1]!.owners.people).toEqual(['console:UDAN']);
    const refused = JSON.stringify((await console('UDAN', '/release confirm 1 met')).replies);
    expect(refused).toContain('Not allowed');
    expect(refused).toContain('"id":"slack:UDAN"');
    const audit = (await h.doc('nov')).audit;
    expect(audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: 'console:UDAN', platform: 'console' } });

    // And Slack's UDAN cannot answer what the console's UDAN owns.
    await h.command('UDAN', 'confirm 2 met');
    expect((await h.doc('nov')).release.criteria[1]!.responses).toEqual([]);
    expect((await h.doc('nov')).audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: 'slack:UDAN' } });
    // Each answers their own.
    await h.command('UDAN', 'confirm 1 met');
    await console('UDAN', '/release confirm 2 met');
    expect((await h.doc('nov')).release.criteria.slice(0, 2).map((c) => c.responses.map((r) => r.by))).toEqual([['slack:UDAN'], ['console:UDAN']]);
  });
});
