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
}
