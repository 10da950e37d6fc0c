import { expect } from 'vitest';
import { StoreError } from '../../src/app/store-port.js';

/** What `promise` rejected with, which must be a StoreError (a resolve fails the test). */
export async function storeRejection(promise: Promise<unknown>): Promise<StoreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}
