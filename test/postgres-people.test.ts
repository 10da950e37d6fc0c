import { afterEach, beforeEach, expect, it } from 'vitest';
import type { PeoplePort } from '../src/app/people-port.js';
import { StoreError } from '../src/app/store-port.js';
import { openPostgresPeople } from '../store/postgres/people-postgres.js';
import { rejectionOf } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';

// People's settings in PostgreSQL, opened twice on one schema as two golives ("replicas") would:
// each reads what the other wrote the moment it committed, and updates of one person take turns.

forEachTarget("people's settings in PostgreSQL", (target) => {
  let schema: TestSchema;
  let one: PeoplePort;
  let two: PeoplePort;

  beforeEach(async () => {
    schema = await target.schema();
    one = await openPostgresPeople(await schema.db());
    two = await openPostgresPeople(await schema.db());
  });

  afterEach(() => schema.drop());

  it('gives the defaults for someone never seen, keeps a change in the table, and the other sees it at once', async () => {
    expect(await two.get('slack:UDAN')).toEqual({ notify: true });
    expect(await one.update('slack:UDAN', (prefs) => ({ ...prefs, notify: false }))).toEqual({ notify: false });
    expect(await two.get('slack:UDAN')).toEqual({ notify: false });
    expect(await schema.sql('SELECT person_id, prefs FROM people')).toEqual([{ person_id: 'slack:UDAN', prefs: { notify: false } }]);
    // Reading writes nothing.
    await two.get('console:olivia');
    expect(await schema.sql('SELECT person_id FROM people ORDER BY 1')).toEqual([{ person_id: 'slack:UDAN' }]);
  });

  it("updates of one person from both take turns: each sees the other's", async () => {
    const bump = (port: PeoplePort) => port.update('console:dan', (prefs) => ({ ...prefs, digest: { day: '2019-12-20', state: 'sending', tries: (prefs.digest?.tries ?? 0) + 1 } }));
    await Promise.all(Array.from({ length: 20 }, (_, n) => bump(n % 2 === 0 ? one : two)));
    expect((await one.get('console:dan')).digest?.tries).toBe(20);
  });

  it('a change that throws, or makes settings that are not valid, changes nothing', async () => {
    await one.update('console:dan', (prefs) => ({ ...prefs, notify: false }));
    const thrown = new Error('the caller changed its mind');
    expect(
      await rejectionOf(
        one.update('console:dan', () => {
          throw thrown;
        }),
      ),
    ).toBe(thrown);
    await expect(one.update('console:dan', (prefs) => ({ ...prefs, notify: 'yes' as unknown as boolean }))).rejects.toThrow();
    expect(await schema.sql('SELECT prefs FROM people')).toEqual([{ prefs: { notify: false } }]);
  });

  it('a row golive cannot read is named in a clear error, for reads and updates, and left as it is', async () => {
    await one.update('console:dan', (prefs) => prefs);
    await schema.sql(`UPDATE people SET prefs = '{"notify": "yes"}'::jsonb WHERE person_id = 'console:dan'`);
    for (const failing of [two.get('console:dan'), two.update('console:dan', (prefs) => ({ ...prefs, notify: true }))]) {
      const error = await rejectionOf(failing);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(/the people row of console:dan is not valid settings \(notify: .*\); fix or delete that row/);
    }
    expect(await schema.sql('SELECT prefs FROM people')).toEqual([{ prefs: { notify: 'yes' } }]);
    // Others are not held up by it.
    expect(await two.update('console:oscar', (prefs) => ({ ...prefs, notify: false }))).toEqual({ notify: false });
  });

  it('refuses a key that names nobody, writing nothing', async () => {
    const error = await rejectionOf(one.update('__proto__' as never, (prefs) => prefs));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('"__proto__" is not a person golive keeps settings for');
    expect(await schema.sql('SELECT count(*)::int AS n FROM people')).toEqual([{ n: 0 }]);
  });
});
