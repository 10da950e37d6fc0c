/** Time is injected everywhere so tests and the scheduler never read the wall clock themselves. */
export interface Clock {
  now(): Date;
}

/** A rehearsal's clock, which the operator may move forward (never back) to reach a later day. */
export interface MovableClock extends Clock {
  moveTo(at: Date): void;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that starts at a chosen instant and then runs at real speed: for rehearsing or
 * demonstrating a release whose dates are in the past, with answers still in their true order.
 */
export function rehearsalClock(start: Date, real: Clock = systemClock): MovableClock {
  let offset = start.getTime() - real.now().getTime();
  const now = () => new Date(real.now().getTime() + offset);
  return {
    now,
    moveTo(at) {
      // Records only go forward in time; a clock moved back would have every change refused.
      if (at.getTime() < now().getTime()) throw new RangeError(`the clock only moves forward: it reads ${now().toISOString()}`);
      offset = at.getTime() - real.now().getTime();
    },
  };
}
