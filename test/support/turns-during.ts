/**
 * Runs `pass` and counts how often work waiting for the event loop's next turn (what a request
 * arriving meanwhile would be) got in before it finished: none means the pass held the loop throughout.
 */
export async function turnsDuring<T>(pass: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let passing = true;
  const request = () => {
    if (!passing) return;
    turns += 1;
    setImmediate(request);
  };
  setImmediate(request);
  try {
    return { result: await pass(), turns };
  } finally {
    passing = false;
  }
}
