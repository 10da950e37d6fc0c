import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openIdentityFile, IDENTITIES_FILE } from '../store/identity-file.js';
import type { Actor } from '../src/app/request.js';

const ANNA_SLACK: Actor = { id: 'slack:U100', platform: 'slack' };
const ANNA_TEAMS: Actor = { id: 'teams:29:anna', platform: 'teams' };
const BOB_TEAMS: Actor = { id: 'teams:29:bob', platform: 'teams' };
const T0 = new Date('2026-11-30T10:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

async function folder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'golive-identities-'));
}

// A fixed sequence of picks, so each test knows the codes it is given.
function picks(...values: number[]): (max: number) => number {
  let i = 0;
  return (max) => values[i++ % values.length]! % max;
}

describe('the identity record', () => {
  it('links two identities with a code typed on the other platform, and both sides then count as one person', async () => {
    const dir = await folder();
    const ids = await openIdentityFile(dir);
    const { code, expiresAt } = await ids.issue(ANNA_SLACK, T0);
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(expiresAt.toISOString()).toBe('2026-11-30T10:10:00.000Z');
    expect(await ids.redeem(ANNA_TEAMS, code.toLowerCase().replace('-', ' '), later(9 * 60_000))).toBe('slack:U100');
    expect((await ids.aliases('teams:29:anna')).sort()).toEqual(['slack:U100', 'teams:29:anna']);
    expect((await ids.aliases('slack:U100')).sort()).toEqual(['slack:U100', 'teams:29:anna']);
    expect(await ids.aliases('teams:29:bob')).toEqual(['teams:29:bob']);

    // On disk: the link is there, sealed; the code itself is not.
    const text = await readFile(join(dir, IDENTITIES_FILE), 'utf8');
    expect(text).not.toContain(code.replace('-', ''));
    expect(text).not.toContain(code);
    const reopened = await openIdentityFile(dir);
    expect((await reopened.read()).problem).toBeUndefined();
    expect((await reopened.aliases('teams:29:anna')).sort()).toEqual(['slack:U100', 'teams:29:anna']);
    expect((await reopened.read()).entries).toBe(2);
  });

  it('refuses an expired, a used, a wrong and a same-platform code, and records each refusal', async () => {
    const dir = await folder();
    const ids = await openIdentityFile(dir, { random: picks(1, 2, 3, 4, 5, 6, 7, 8) });
    const { code } = await ids.issue(ANNA_SLACK, T0);
    await expect(ids.redeem({ id: 'slack:U200', platform: 'slack' }, code, later(1000))).rejects.toThrow(/two different platforms/);
    await expect(ids.redeem(ANNA_TEAMS, 'ZZZZ-ZZZZ', later(2000))).rejects.toThrow(/not one golive gave out/);
    await expect(ids.redeem(ANNA_TEAMS, code, later(10 * 60_000 + 1))).rejects.toThrow(/expired/);
    const fresh = await openIdentityFile(dir);
    const second = await fresh.issue(ANNA_SLACK, later(11 * 60_000));
    await fresh.redeem(ANNA_TEAMS, second.code, later(12 * 60_000));
    await expect(fresh.redeem(BOB_TEAMS, second.code, later(13 * 60_000))).rejects.toThrow(/used already/);
    await expect(fresh.issue(BOB_TEAMS, later(0))).rejects.toThrow(/clock is behind/);
    expect(await fresh.aliases('teams:29:bob')).toEqual(['teams:29:bob']);

    const doc = JSON.parse(await readFile(join(dir, IDENTITIES_FILE), 'utf8'));
    const refused = doc.entries.filter((e: { outcome: string }) => e.outcome === 'refused');
    expect(refused.map((e: { actor: { id: string } }) => e.actor.id)).toEqual(['slack:U200', 'teams:29:anna', 'teams:29:anna', 'teams:29:bob']);
  });

  it('a new code replaces the old one, and five wrong codes make a person wait without filling the record', async () => {
    const dir = await folder();
    const ids = await openIdentityFile(dir, { random: picks(0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16) });
    const first = await ids.issue(ANNA_SLACK, T0);
    const second = await ids.issue(ANNA_SLACK, later(1000));
    expect(second.code).not.toBe(first.code);
    await expect(ids.redeem(ANNA_TEAMS, first.code, later(2000))).rejects.toThrow(/not one golive gave out/);
    for (let i = 0; i < 4; i++) await expect(ids.redeem(BOB_TEAMS, `WRNG-000${i}`, later(3000 + i))).rejects.toThrow(/not one golive gave out/);
    await expect(ids.redeem(BOB_TEAMS, 'WRNG-9999', later(4000))).rejects.toThrow(/not one golive gave out/);
    const before = (await readFile(join(dir, IDENTITIES_FILE), 'utf8')).length;
    await expect(ids.redeem(BOB_TEAMS, second.code, later(5000))).rejects.toThrow(/Too many wrong codes/);
    expect((await readFile(join(dir, IDENTITIES_FILE), 'utf8')).length).toBe(before);
    // Anna's own code still works for Anna.
    expect(await ids.redeem(ANNA_TEAMS, second.code, later(6000))).toBe('slack:U100');
  });

  it('refuses a link that would give one person two identities on one platform, and unlinks on request', async () => {
    const ids = await openIdentityFile(await folder());
    await ids.redeem(ANNA_TEAMS, (await ids.issue(ANNA_SLACK, T0)).code, later(1));
    const bobCode = await ids.issue({ id: 'console:bob', platform: 'console' }, later(2));
    await ids.redeem(BOB_TEAMS, bobCode.code, later(3));
    const annaAgain = await ids.issue({ id: 'console:anna', platform: 'console' }, later(4));
    await expect(ids.redeem(BOB_TEAMS, annaAgain.code, later(5))).rejects.toThrow(/two console identities/);
    await ids.unlink(ANNA_TEAMS, 'slack:U100', later(6));
    expect(await ids.aliases('slack:U100')).toEqual(['slack:U100']);
    await expect(ids.unlink(ANNA_TEAMS, 'slack:U100', later(7))).rejects.toThrow(/not linked/);
  });

  it('a link written into the file by hand is caught at open: links are ignored and linking is refused, the file untouched', async () => {
    const dir = await folder();
    const ids = await openIdentityFile(dir);
    await ids.redeem(ANNA_TEAMS, (await ids.issue(ANNA_SLACK, T0)).code, later(1));
    const path = join(dir, IDENTITIES_FILE);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    doc.entries[1].after.linked = ['teams:29:mallory', 'slack:U100'];
    const forged = JSON.stringify(doc);
    await writeFile(path, forged);
    const reopened = await openIdentityFile(dir);
    expect((await reopened.read()).problem).toMatch(/fails verification at entry 2/);
    expect(await reopened.aliases('teams:29:mallory')).toEqual(['teams:29:mallory']);
    await expect(reopened.issue(ANNA_SLACK, later(2))).rejects.toThrow(/Linking is off/);
    expect(await readFile(path, 'utf8')).toBe(forged);
  });

  it('a keyed record cannot be rewritten without the key, and an unkeyed one is not trusted once the key is set', async () => {
    const dir = await folder();
    const ids = await openIdentityFile(dir, { key: 'k1' });
    await ids.redeem(ANNA_TEAMS, (await ids.issue(ANNA_SLACK, T0)).code, later(1));
    expect((await (await openIdentityFile(dir, { key: 'k1' })).read()).problem).toBeUndefined();
    expect((await (await openIdentityFile(dir, { key: 'other' })).read()).problem).toMatch(/fails verification/);
    expect((await (await openIdentityFile(dir)).read()).problem).toMatch(/fails verification/);
    const plain = await folder();
    const unkeyed = await openIdentityFile(plain);
    await unkeyed.issue(ANNA_SLACK, T0);
    expect((await (await openIdentityFile(plain, { key: 'k1' })).read()).problem).toMatch(/without GOLIVE_AUDIT_KEY/);
  });

  it('a file that is not an identity record stops start-up with its name and is left as it was', async () => {
    const dir = await folder();
    await writeFile(join(dir, IDENTITIES_FILE), '{"version":1,"entries":[{"seq":"x"}]}');
    await expect(openIdentityFile(dir)).rejects.toThrow(/identities\.json: is not a valid identity record/);
    expect(await readFile(join(dir, IDENTITIES_FILE), 'utf8')).toBe('{"version":1,"entries":[{"seq":"x"}]}');
  });
});
