import { afterEach, describe, expect, it } from 'vitest';
import { noGroups, type Directory } from '../src/app/context.js';
import { DirectoryRouter } from '../src/app/directories.js';
import { UserError } from '../src/app/request.js';
import { openPeopleFile } from '../store/people-file.js';
import { Harness } from './support/golive.js';
import { recordOf } from './support/store-records.js';

// How people are named in the neutral grammar, typed in the console: bare names are the
// console's own people, anyone else is named with their platform.
describe('naming people in the console', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const setup = '/release create "Nov" 2019-11-29 --id nov\n';

  it('refuses Slack markup typed as it is, saying how to name a person, and changes nothing', async () => {
    h = await Harness.openWith(setup);
    const before = (await recordOf(h.store, 'nov')).audit.length;
    const { output, status } = await h.run('/release role DCC <@U123|dan>\n');
    expect(status).toBe(1);
    expect(output).toContain(
      'Not done: "<@U123|dan>" is not a person: write @name for someone on this platform, or @slack:U123 (@<platform>:<id>) for someone on another; in Slack or Teams, mention them.',
    );
    expect(output).toContain('Usage: `/release role <role> <user>...`');
    expect((await recordOf(h.store, 'nov')).audit).toHaveLength(before);
    expect((await h.run('/release confirm 1 met --evidence <https://ci.example/1|run>\n', 'dan')).output).toContain('is not an http:// or https:// link');
  });

  it('says in help how to name people of this and other platforms', async () => {
    h = await Harness.open();
    for (const topic of ['', ' role']) {
      const { output } = await h.run(`/release help${topic}\n`);
      expect(output, topic).toContain('mention them, or write @name for someone on the platform you type on and @<platform>:<id> (like @slack:U123) for someone on another');
    }
    expect((await h.run('/release help status\n')).output).not.toContain('@<platform>:<id>');
  });

  it('keeps bare names for the console and qualified ones for their platform, shown as each reads best', async () => {
    h = await Harness.openWith(setup);
    expect(await h.as('rita', '/release role DCC dan @slack:U9 @teams:29:1aBc')).toContain('Role DCC: @dan, @slack:U9, @teams:29:1aBc');
    expect((await h.store.get('nov'))!.release.roles.DCC).toEqual(['console:dan', 'slack:U9', 'teams:29:1aBc']);
    expect((await h.store.get('nov'))!.release.managers).toEqual(['console:rita']);
    // Refusals name the owners the same way, and the record keeps them qualified.
    expect(await h.as('mallory', '/release confirm 1 met')).toContain('is owned by @dan, @slack:U9, @teams:29:1aBc (role DCC)');
    expect((await recordOf(h.store, 'nov')).audit.at(-1)!.reason).toContain('is owned by @console:dan, @slack:U9, @teams:29:1aBc (role DCC)');
  });

  it('handles names an object inherits as the ids they are, never as properties', async () => {
    h = await Harness.openWith(setup);
    expect(await h.as('rita', '/release role DCC @constructor @toString @hasOwnProperty')).toContain('Role DCC: @constructor, @toString, @hasOwnProperty');
    expect((await h.store.get('nov'))!.release.roles.DCC).toEqual(['console:constructor', 'console:toString', 'console:hasOwnProperty']);
    expect(await h.as('constructor', '/release confirm 1 met')).toContain('Recorded: criterion 1 (code-ready) met.');
    expect(await h.as('toString', '/release todo')).toContain('Nov');
    // Each person's own settings are keyed by the qualified id, in a list of pairs, never an object's keys.
    const people = await openPeopleFile(h.dir);
    await people.update('console:constructor', (prefs) => ({ ...prefs, notify: false }));
    const reread = await openPeopleFile(h.dir);
    expect((await reread.get('console:constructor')).notify).toBe(false);
    expect((await reread.get('console:toString')).notify).toBe(true);
    expect(await h.as('rita', '/release role DCC @__proto__')).toContain('"@__proto__" is not a person');
    expect(await h.as('rita', '/release role DCC @slack:__proto__')).toContain('"@slack:__proto__" is not a person');
    expect((await h.store.get('nov'))!.release.roles.DCC).toEqual(['console:constructor', 'console:toString', 'console:hasOwnProperty']);
    expect(Object.getPrototypeOf((await h.store.get('nov'))!.release.roles)).toBe(Object.prototype);
  });

  it('expands a user group only where its platform gives one', async () => {
    h = await Harness.openWith(setup);
    expect(await h.as('rita', '/release role DCC @@slack:S1')).toContain('User groups cannot be expanded here (slack:S1); name the people instead.');
    expect(await h.as('rita', '/release role DCC @@ops')).toContain('User groups cannot be expanded here (console:ops)');
  });
});

describe('a directory over several platforms', () => {
  const fixed = (members: `${string}:${string}`[]): Directory => ({ expandGroup: async () => members as never });

  it('expands a group through the directory of the platform its id names, and no other', async () => {
    const directory = new DirectoryRouter({ slack: fixed(['slack:U1', 'slack:U2']), teams: fixed(['teams:29:a']) });
    expect(await directory.expandGroup('slack:S1')).toEqual(['slack:U1', 'slack:U2']);
    expect(await directory.expandGroup('teams:g1')).toEqual(['teams:29:a']);
    await expect(directory.expandGroup('console:ops')).rejects.toThrow(UserError);
    await expect(noGroups.expandGroup('slack:S1')).rejects.toThrow('User groups cannot be expanded here (slack:S1)');
  });
});
