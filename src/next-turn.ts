/**
 * Resolves on the event loop's next turn, after the I/O waiting now: a long pass over many
 * releases awaits it between steps so requests are answered meanwhile (awaiting an answer that is
 * already there lets nothing else in).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
