import { StoreError } from '../../src/app/store-port.js';
import { reasonOf } from './release-fs.js';

/** A log of JSON lines as read whole: the values of its complete lines, where each ends, and any torn tail. */
export interface JsonLines<T> {
  values: T[];
  /** ends[i]: the byte just after line i's newline. */
  ends: number[];
  /** Bytes of the complete lines; the rest of the file, if any, is a torn tail. */
  complete: number;
  size: number;
  /** The start of a last line cut short by a crash (not ended by a newline, or not JSON). */
  torn?: string;
}

/**
 * Reads an append-only file of JSON lines. A last line that is unfinished or not JSON is a torn
 * tail, which only a crash mid-append leaves; any other line that is not JSON, or that `read`
 * refuses (it throws a StoreError naming the line), stops with a StoreError: that is damage, not a crash.
 */
export function parseJsonLines<T>(bytes: Buffer, file: string, read: (value: unknown, line: number, before: readonly T[]) => T): JsonLines<T> {
  const values: T[] = [];
  const ends: number[] = [];
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const text = bytes.toString('utf8', start, end);
    const last = newline < 0 || newline === bytes.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (last) return { values, ends, complete: start, size: bytes.length, torn: text.slice(0, 120) };
      throw new StoreError(`${file}: line ${values.length + 1} is not valid JSON (${reasonOf(error)}); golive will not start until it is repaired`, file);
    }
    if (newline < 0) return { values, ends, complete: start, size: bytes.length, torn: text.slice(0, 120) };
    values.push(read(value, values.length + 1, values));
    ends.push(newline + 1);
    start = newline + 1;
  }
  return { values, ends, complete: start, size: bytes.length };
}
