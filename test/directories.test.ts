import { describe, expect, it } from 'vitest';
import { DirectoryRouter } from '../src/app/directories.js';
import type { Directory } from '../src/app/context.js';
import { UserError } from '../src/app/request.js';

const named = (name: string): Directory => ({ expandGroup: async (id) => [`${name} expanded ${id}`] });

describe("the app's directory over every platform's", () => {
  it('hands an id to the directory of the platform it names, as it is', async () => {
    const router = new DirectoryRouter();
    router.add('slack', named('slack'));
    router.add('teams', named('teams'));
    expect(await router.expandGroup('slack:S1')).toEqual(['slack expanded slack:S1']);
    // A Teams id holds colons of its own: only the first part names the platform.
    expect(await router.expandGroup('teams:29:abc')).toEqual(['teams expanded teams:29:abc']);
  });

  it('gives an id that names no platform to the only one there is, and refuses to guess between two', async () => {
    const router = new DirectoryRouter();
    router.add('slack', named('slack'));
    expect(await router.expandGroup('S1')).toEqual(['slack expanded S1']);
    expect(await router.expandGroup('29:abc')).toEqual(['slack expanded 29:abc']);
    router.add('teams', named('teams'));
    await expect(router.expandGroup('S1')).rejects.toThrow(UserError);
    await expect(router.expandGroup('S1')).rejects.toThrow('golive cannot tell which platform the group S1 is on; name the people instead.');
  });

  it('says so when the platform an id names is not served here, or nothing is', async () => {
    const router = new DirectoryRouter();
    await expect(router.expandGroup('S1')).rejects.toThrow('cannot tell which platform');
    router.add('slack', named('slack'));
    await expect(router.expandGroup('teams:G1')).rejects.toThrow('The group teams:G1 is on Teams, which golive is not connected to here; name the people instead.');
  });

  it('takes one directory per platform', () => {
    const router = new DirectoryRouter();
    router.add('slack', named('slack'));
    expect(() => router.add('slack', named('again'))).toThrow('Two adapters for Slack');
  });
});
