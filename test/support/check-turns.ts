import { recordVerifier, type RecordVerifier } from '../../src/app/record-check.js';

/**
 * A record check (the real one) that counts the entries it is given, and a ticker that runs on
 * every turn of the event loop while it is watched: how many entries were checked without a turn
 * for anything else between, which is how long a request arriving then would have waited.
 */
export function watchedCheck(): { verify: RecordVerifier; watch<T>(work: () => Promise<T>): Promise<T>; checked(): number; mostWithoutATurn(): number } {
  const real = recordVerifier({});
  let checked = 0;
  let most = 0;
  let atLastTurn = 0;
  const verify: RecordVerifier = (record) => real(record);
  verify.streaming = () => {
    const stream = real.streaming!();
    return {
      add(entry) {
        checked += 1;
        most = Math.max(most, checked - atLastTurn);
        return stream.add(entry);
      },
      passes: (record) => stream.passes(record),
    };
  };
  return {
    verify,
    async watch(work) {
      let watching = true;
      const turn = () => {
        atLastTurn = checked;
        if (watching) setImmediate(turn);
      };
      setImmediate(turn);
      try {
        return await work();
      } finally {
        watching = false;
      }
    },
    checked: () => checked,
    mostWithoutATurn: () => most,
  };
}
