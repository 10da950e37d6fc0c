import type { Clock } from '../../src/app/clock.js';

/** A clock tests set by hand; each reading moves it on one second so events keep their order. */
export class TestClock implements Clock {
  private at: number;
  constructor(start: string) {
    this.at = Date.parse(start);
  }
  now(): Date {
    const current = new Date(this.at);
    this.at += 1000;
    return current;
  }
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
  /** As a rehearsal's `/clock` moves it: forward only. */
  moveTo(at: Date): void {
    if (at.getTime() < this.at) throw new RangeError(`the clock only moves forward: it reads ${new Date(this.at).toISOString()}`);
    this.at = at.getTime();
  }
}

/** A clock that reads the same instant until the test moves it: for arithmetic on leases to the millisecond. */
export class FixedClock implements Clock {
  private at: number;
  constructor(start: string) {
    this.at = Date.parse(start);
  }
  now(): Date {
    return new Date(this.at);
  }
  /** Moves it by `ms` (forward, or back for a replica whose clock is behind). */
  advance(ms: number): Date {
    this.at += ms;
    return this.now();
  }
}
