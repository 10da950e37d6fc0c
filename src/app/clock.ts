/** Time is injected everywhere so tests and the scheduler never read the wall clock themselves. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that starts at a chosen instant and then runs at real speed: for rehearsing or
 * demonstrating a release whose dates are in the past, with answers still in their true order.
 */
export function rehearsalClock(start: Date, real: Clock = systemClock): Clock {
  const offset = start.getTime() - real.now().getTime();
  return { now: () => new Date(real.now().getTime() + offset) };
}
