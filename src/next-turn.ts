/**
 * Audit entries a record check parses and hashes before letting other work in (about 1.5 ms of a
 * 2-core machine). A check runs when a release is first used, so a burst of writes waits on it: with
 * a turn every 64 entries (5 to 10 ms each), /healthz during the write bench's burst took up to 44-76
 * ms at p99; every 16, 8-13 ms on the JSON folder.
 */
export const CHECKED_A_TURN = 16;

/**
 * Resolves on the event loop's next turn, after the I/O waiting now: a long pass over many
 * releases awaits it between steps so requests are answered meanwhile (awaiting an answer that is
 * already there lets nothing else in).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
