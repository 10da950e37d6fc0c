/**
 * Freezes `value` and everything reachable from it, in place, and returns it. A frozen release can
 * be handed to many readers without a copy each: none can change it, and whatever is worked out
 * from it (its evaluation) stays true for as long as the object lives.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
