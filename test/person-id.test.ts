import { describe, expect, it } from 'vitest';
import { isQualified, localId, PersonIdSchema, platformOf, qualifiedAs, qualify } from '../src/domain/person-id.js';
import { bareIds, mapPeople } from '../src/domain/release-people.js';
import { Release } from '../src/domain/release.js';
import { minimalReleaseDocument } from './fixtures/release-doc.js';

// A person id carries its platform: the same platform id on two platforms is two people.
describe('person ids', () => {
  it('qualify with a platform, and read the platform and the own id back', () => {
    expect(qualify('slack', 'U123')).toBe('slack:U123');
    expect(platformOf('slack:U123')).toBe('slack');
    expect(localId('slack:U123')).toBe('U123');
    // A Teams id holds colons of its own: the prefix ends at the first one.
    expect(qualify('teams', '29:1aBc_d')).toBe('teams:29:1aBc_d');
    expect(platformOf('teams:29:1aBc_d')).toBe('teams');
    expect(localId('teams:29:1aBc_d')).toBe('29:1aBc_d');
  });

  it('tell a bare id from a qualified one', () => {
    for (const bare of ['alice', 'U123', '29:1abc', 'slack:', ':U1', 'Slack:U1', 'constructor']) {
      expect(isQualified(bare), bare).toBe(false);
      expect(platformOf(bare), bare).toBeUndefined();
      expect(localId(bare), bare).toBe(bare);
    }
    for (const qualified of ['console:alice', 'slack:U1', 'teams:29:1abc', 'hook:flags', 'golive:golive']) expect(isQualified(qualified), qualified).toBe(true);
  });

  it('qualify a bare id of an old record with its platform, and keep one already qualified with it', () => {
    expect(qualifiedAs('slack', 'U1')).toBe('slack:U1');
    expect(qualifiedAs('slack', 'slack:U1')).toBe('slack:U1');
    expect(qualifiedAs('hook', 'hook:flags')).toBe('hook:flags');
    expect(qualifiedAs('golive', 'golive')).toBe('golive:golive');
    // A console name that merely looks like a Slack id is still the console's.
    expect(qualifiedAs('console', 'slack:U1')).toBe('console:slack:U1');
  });

  it('accept as stored ids only qualified ids whose own part is an id', () => {
    expect(PersonIdSchema.safeParse('slack:U1').success).toBe(true);
    expect(PersonIdSchema.safeParse('teams:29:1abc_X-y').success).toBe(true);
    for (const bad of ['U1', 'slack:', 'slack:__proto__', '__proto__', 'mars:U1', 'slack:U 1', 42]) expect(PersonIdSchema.safeParse(bad).success, String(bad)).toBe(false);
  });
});

describe('the people of a release', () => {
  const release = (): Release =>
    Release.parse({
      ...minimalReleaseDocument('r', {
        release: {
          managers: ['rita'],
          roles: { dcc: ['dan', 'slack:U2'], panel: ['pat'] },
          delegates: [{ delegate: 'dora', for: 'dan' }],
          createdBy: 'rita',
        },
      }).release,
      groups: [
        {
          id: 'opsg',
          name: 'OPSG',
          members: ['olivia'],
          delegates: [{ delegate: 'oscar', for: 'olivia' }],
          quorum: 1,
          signoffs: [{ verdict: 'agree', by: 'oscar', onBehalfOf: 'olivia', platform: 'console', at: '2019-11-02T09:00:00.000Z' }],
        },
      ],
      risks: [
        {
          number: 1,
          description: 'r',
          owner: 'rita',
          mitigations: [{ text: 'm', by: 'rita', at: '2019-11-02T09:00:00.000Z' }],
          views: [{ group: 'opsg', text: 'v', by: 'olivia', at: '2019-11-02T09:00:00.000Z' }],
          status: 'open',
          statusChangedAt: '2019-11-02T09:00:00.000Z',
          by: 'rita',
          at: '2019-11-02T09:00:00.000Z',
        },
      ],
      switches: [{ key: 'S1', expected: 'off', current: 'off', history: [{ to: 'off', by: 'hook:flags', platform: 'hook', source: 'flags', at: '2019-11-02T09:00:00.000Z' }] }],
      facts: {
        defects: { counts: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, setAt: '2019-11-02T09:00:00.000Z', setBy: 'rita', changedAt: '2019-11-02T09:00:00.000Z' },
        phases: [{ name: 'SIT', closed: true, exitCriteriaMet: true, setAt: '2019-11-02T09:00:00.000Z', setBy: 'hook:ci', changedAt: '2019-11-02T09:00:00.000Z' }],
      },
      decisions: [{ verdict: 'no-go', by: 'pat', platform: 'console', at: '2019-11-03T09:00:00.000Z' }],
      dateChanges: [{ from: { date: '2019-11-22', time: '18:00' }, to: { date: '2019-11-29', time: '18:00' }, reason: 'x', by: 'rita', at: '2019-11-02T09:00:00.000Z' }],
      outcome: { result: 'cancelled', by: 'rita', platform: 'console', at: '2019-11-04T09:00:00.000Z' },
      criteria: [
        {
          id: 'c',
          number: 1,
          text: 't',
          owners: { roles: ['dcc'], people: ['erin'] },
          responses: [{ answer: 'met', evidence: [], by: 'dora', onBehalfOf: 'dan', platform: 'console', at: '2019-11-02T09:00:00.000Z' }],
        },
      ],
    });

  it('are every id it holds, wherever it holds one; those with a platform already are not bare', () => {
    expect(bareIds(release())).toEqual(['dan', 'dora', 'erin', 'olivia', 'oscar', 'pat', 'rita']);
  });

  it('are found without changing the release they are read from, which is read in place', () => {
    const read = release();
    const before = structuredClone(read);
    const { managers, criteria } = read;
    expect(bareIds(read)).toHaveLength(7);
    expect(read).toEqual(before);
    expect(read.managers).toBe(managers);
    expect(read.criteria[0]!.responses[0]).toBe(criteria[0]!.responses[0]);
  });

  it('are renamed everywhere by one walk, nothing else changed', () => {
    const before = release();
    const after = mapPeople(before, (id) => (isQualified(id) ? id : qualify('console', id)));
    expect(bareIds(after)).toEqual([]);
    expect(after.roles).toEqual({ dcc: ['console:dan', 'slack:U2'], panel: ['console:pat'] });
    expect(after.switches[0]!.history[0]!.by).toBe('hook:flags');
    expect(after.criteria[0]!.responses[0]).toMatchObject({ by: 'console:dora', onBehalfOf: 'console:dan' });
    expect(after.groups[0]!.signoffs[0]).toMatchObject({ by: 'console:oscar', onBehalfOf: 'console:olivia' });
    expect(after.outcome!.by).toBe('console:rita');
    expect(after.facts.defects!.setBy).toBe('console:rita');
    expect(after.facts.testingIssues).toBeUndefined();
    // The input is left as it was, and putting the ids back gives it again.
    expect(before.managers).toEqual(['rita']);
    expect(mapPeople(after, (id) => (platformOf(id) === 'console' ? localId(id) : id))).toEqual(before);
  });
});
