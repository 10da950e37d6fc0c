import { describe, expect, it } from 'vitest';
import { DirectoryRouter } from '../src/app/directories.js';
import type { Directory } from '../src/app/context.js';
import { qualify } from '../src/domain/person-id.js';

const named = (name: string): Directory => ({ expandGroup: async (id) => [qualify('console', `${name}-expanded-${id.replace(/:/g, '-')}`)] });

describe("the app's directory over every platform's", () => {
  it('hands an id to the directory of the platform it names, as it is', async () => {
    const router = new DirectoryRouter();
    router.add('slack', named('slack'));
    router.add('teams', named('teams'));
    expect(await router.expandGroup('slack:S1')).toEqual(['console:slack-expanded-slack-S1']);
    // A Teams id holds colons of its own: only the first part names the platform.
    expect(await router.expandGroup('teams:29:abc')).toEqual(['console:teams-expanded-teams-29-abc']);
  });

  it('says so when the platform an id names is not served here, or nothing is', async () => {
    const router = new DirectoryRouter();
    await expect(router.expandGroup('slack:S1')).rejects.toThrow('The group slack:S1 is on Slack, which golive is not connected to here');
    router.add('slack', named('slack'));
    await expect(router.expandGroup('teams:G1')).rejects.toThrow('The group teams:G1 is on Teams, which golive is not connected to here; name the people instead.');
  });

  it('takes one directory per platform', () => {
    const router = new DirectoryRouter();
    router.add('slack', named('slack'));
    expect(() => router.add('slack', named('again'))).toThrow('Two adapters for Slack');
  });
});
