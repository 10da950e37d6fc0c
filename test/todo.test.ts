import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';
import { SlackHarness } from './support/slack-harness.js';
import { appHomeOpened, event } from './support/slack-requests.js';
import { SECRET } from './support/slack-harness.js';

// `todo`: what waits for the person who asks, across every release, through the real console;
// and Slack's App Home, which must list exactly the same items.

const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release role DCC dan
/release role SECAS sam
/release role Panel pat
/release group opsg members olivia oscar --quorum 2
/release group tag members tara tom --quorum 1 --delegate tess for tara
/release delegate dora for dan
/channel dec
/release create "Dec" 2019-12-13 --template software-release --id dec
`;

describe('todo in the console', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());

  const todo = async (user: string) => (await h.run('/release todo', user)).output;
  const as = async (user: string, line: string) => (await h.run(line, user)).output;

  it("lists an owner's unanswered criteria with the release and its due point, and drops what they answer", async () => {
    const before = await todo('dan');
    expect(before).toContain('Nov: PENDING');
    expect(before).toContain('nov · due 29 Nov 2019 09:00 (Europe/London), in 21 days 23 hours');
    for (const id of ['code-ready', 'test-phases-closed', 'no-sev1-sev2', 'defect-plans', 'environments-aligned', 'ops-ready']) expect(before).toContain(`. ${id} `);
    expect(before).not.toContain('secas-ready');
    expect(before).not.toContain('OPSG');
    expect(before).not.toContain('Decide go or no-go');

    await as('dan', '/release confirm code-ready met --release nov');
    await as('dan', '/release confirm ops-ready not-met "TOC not staffed" --release nov');
    const after = await todo('dan');
    expect(after).not.toContain('. code-ready ');
    // Not met is still theirs to clear.
    expect(after).toContain('. ops-ready ');
  });

  it("lists a delegate's items for the person who named them", async () => {
    const output = await todo('dora');
    expect(output).toContain('. code-ready ');
    expect(output).toContain('Owners: @dan (role DCC)');
    const tess = await todo('tess');
    expect(tess).toContain('TAG 0 of 1 agreed');
    expect(tess).toContain('You may sign as delegate for @tara');
  });

  it("lists a group member's sign-off until they have signed, and again when their sign-off goes stale", async () => {
    expect(await todo('olivia')).toContain('OPSG 0 of 2 agreed');
    await as('olivia', '/release signoff opsg agree --release nov');
    expect(await todo('olivia')).toContain('Nothing waits for you.');
    expect(await todo('oscar')).toContain('OPSG 1 of 2 agreed');
    // A worsening makes the agreement stale: it is olivia's to give again.
    await as('dan', '/release confirm code-ready not-met "build broken" --release nov');
    const again = await todo('olivia');
    expect(again).toContain('OPSG 0 of 2 agreed');
    expect(again).toContain('STALE, does not count');
  });

  it("lists the approver's decision until it is made, and again once it is stale", async () => {
    const pat = await todo('pat');
    expect(pat).toContain('Decide go or no-go as Panel');
    await as('pat', '/release decide no-go "not ready" --release nov');
    expect(await todo('pat')).toContain('Nothing waits for you.');
    await as('dan', '/release confirm code-ready met --release nov');
    expect(await todo('pat')).toContain('Decide go or no-go as Panel');
  });

  it('says so when nothing waits, and leaves out closed releases', async () => {
    expect(await todo('nobody')).toContain('Nothing waits for you. `/release list` shows every release.');
    expect(await as('rita', '/release close cancelled --release nov')).toContain('Closed as CANCELLED');
    expect(await todo('dan')).toContain('Nothing waits for you.');
  });

  it('leaves out a release whose record fails verification: it asks nothing of anybody', async () => {
    await as('rita', '/release role Engineering dan --release dec');
    const file = join(h.dir, 'releases', 'nov.state.json');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.release.roles.DCC = ['dan', 'mallory'];
    const dir = h.dir;
    await h.close(false);
    await writeFile(file, JSON.stringify(doc, null, 2));
    h = await Harness.open('2019-11-08T09:00:00Z', dir);
    expect(await h.store.quarantine('nov')).toBeDefined();
    const output = await todo('dan');
    expect(output).not.toContain('Nov:');
    expect(output).toContain('Dec: PENDING');
    expect(await todo('mallory')).toContain('Nothing waits for you.');
  });

  it('lists every release, soonest due first, each with how long is left or how long ago it passed', async () => {
    await as('rita', '/release role Engineering dan --release dec');
    const output = await todo('dan');
    const nov = output.indexOf('Nov: PENDING');
    const dec = output.indexOf('Dec: PENDING');
    expect(nov).toBeGreaterThan(0);
    expect(dec).toBeGreaterThan(nov);
    h.clock.set('2019-12-01T09:00:00Z');
    expect(await todo('dan')).toContain('nov · due 29 Nov 2019 09:00 (Europe/London), passed 2 days ago');
  });
});

describe('App Home on Slack', () => {
  let s: SlackHarness;
  const RITA = 'URITA';
  const DAN = 'UDAN';
  const PAT = 'UPAT';
  beforeEach(async () => {
    s = await SlackHarness.open();
    await s.command(RITA, 'create "Small" 2019-11-29 --id small');
    await s.command(RITA, `role DCC <@${DAN}>`);
    await s.command(RITA, `role Panel <@${PAT}>`);
  });
  afterEach(() => s.close());

  /** The buttons of a Slack surface: what each item lets the person do, item by item. */
  const buttons = (node: unknown): string[] => {
    if (Array.isArray(node)) return node.flatMap(buttons);
    if (node === null || typeof node !== 'object') return [];
    const o = node as Record<string, unknown>;
    if (o.type === 'button') return [`${String(o.action_id)} ${String(o.value)}`];
    return Object.values(o).flatMap(buttons);
  };

  async function home(userId: string, count: number): Promise<unknown> {
    await event(s.url, SECRET, appHomeOpened(userId));
    await s.callTo('views.publish', count);
    const view = s.fake.callsTo('views.publish').at(-1)!.body.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    return view.blocks;
  }

  async function todo(userId: string): Promise<unknown> {
    await s.command(userId, 'todo');
    return s.fake.callsTo('chat.postEphemeral').at(-1)!.body.blocks;
  }

  it('shows the same items as todo, with the same buttons, for an owner and for an approver', async () => {
    const danHome = await home(DAN, 1);
    const danTodo = await todo(DAN);
    expect(buttons(danHome).length).toBeGreaterThan(0);
    expect(buttons(danHome)).toEqual(buttons(danTodo));
    expect(JSON.stringify(danHome)).toContain('code-ready');
    expect(JSON.stringify(danHome)).toContain('due 29 Nov 2019 09:00 (Europe/London), in 21 days 23 hours');

    const patHome = await home(PAT, 2);
    expect(buttons(patHome)).toEqual(buttons(await todo(PAT)));
    expect(buttons(patHome).map((b) => b.split(' ')[0])).toEqual(['golive:decide:go', 'golive:decide:no-go']);
  });

  it('drops a closed release from App Home, and refuses answers to it', async () => {
    await s.command(RITA, 'close cancelled "not needed"');
    const blocks = await home(DAN, 1);
    expect(buttons(blocks)).toEqual([]);
    expect(JSON.stringify(blocks)).toContain('Nothing waits for you.');
    const reply = (await s.command(DAN, 'confirm 1 met')).reply;
    expect(reply).toContain('Small is closed: CANCELLED');
    await s.click(DAN, 'golive:answer:met', JSON.stringify({ r: 'small', c: 'code-ready' }));
    expect(s.fake.callsTo('views.open')).toHaveLength(0);
    expect((await s.doc('small')).release.criteria[0]!.responses).toHaveLength(0);
  });
});
