import { z } from 'zod';

// Roles live in a plain object keyed by the name a person types. A name that is also a property
// every object inherits (`constructor`, `toString`, `__proto__`) would read the built-in instead
// of the role, or replace the object's prototype, so such names are refused wherever a name is
// given, and names are only ever looked up as the object's own keys.

const RESERVED = new Set(
  [
    ...Object.getOwnPropertyNames(Object.prototype),
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'toLocaleString',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    '__defineGetter__',
    '__defineSetter__',
    '__lookupGetter__',
    '__lookupSetter__',
  ].map((name) => name.toLowerCase()),
);

/** Whether `name`, in any case, is a property name every JavaScript object inherits. */
export function isReservedName(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

export const reservedNameMessage = (what: string, name: string): string =>
  `${what} "${name}" is a reserved word (a built-in property name such as constructor, toString or __proto__); choose another name.`;

/** The value under `key` only if the record holds it itself, never one inherited from Object.prototype. */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export const RoleName = z
  .string()
  .min(1)
  .max(64)
  .refine((name) => !isReservedName(name), 'is a reserved word (such as constructor, toString or __proto__) and cannot name a role');

/**
 * A record keyed by role name. Checked on the raw input first: zod drops a `__proto__` key from a
 * record silently, and a file holding one must be refused, not quietly changed.
 */
export const roleRecord = <T extends z.ZodType>(value: T) =>
  z
    .unknown()
    .superRefine((input, ctx) => {
      if (typeof input !== 'object' || input === null) return;
      for (const key of Object.keys(input)) {
        if (isReservedName(key)) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is a reserved word and cannot name a role` });
      }
    })
    .pipe(z.record(RoleName, value));
