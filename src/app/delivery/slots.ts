/**
 * At most `size` tasks at once; the rest wait their turn, first come first served. How many
 * conversations one pass of the outbox delivers to at the same time.
 */
export class Slots {
  private free: number;
  private readonly queue: Array<() => void> = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots must be a whole number from 1, not ${size}`);
    this.free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot take it in between.
      const next = this.queue.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}
