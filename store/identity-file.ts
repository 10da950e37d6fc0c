import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { IdentityPort, IdentityReading } from '../src/app/identity-port.js';
import type { Actor } from '../src/app/request.js';
import { StoreError } from '../src/app/store-port.js';
import type { AuditKey } from '../src/domain/audit.js';
import { AuditEntry } from '../src/domain/audit-entry.js';
import { DurableJsonFile, type DurableFs } from './durable-json-file.js';
import { identityProblem, IdentityRecord, outcomeOf, type Step } from './identity-record.js';

// <dataDir>/identities.json: the record of linked identities, an audit chain like a release's.

export const IDENTITIES_FILE = 'identities.json';

const IdentityDocument = z.object({ version: z.literal(1), entries: z.array(AuditEntry) }).strict();
type IdentityDocument = z.infer<typeof IdentityDocument>;

export interface IdentityFileOptions {
  key?: AuditKey;
  fs?: DurableFs;
  /** Picks a number below `max`; crypto-random unless a test gives its own. */
  random?: (max: number) => number;
}

/**
 * Opens (or starts) the identity record. A file that is not JSON or not the schema stops start-up
 * (nothing is reset); a record that fails verification is kept as it is and its links ignored.
 */
export async function openIdentityFile(dataDir: string, options: IdentityFileOptions = {}): Promise<IdentityPort> {
  await mkdir(dataDir, { recursive: true });
  const { adapter, entries } = await load(dataDir, options.fs);
  const record = new IdentityRecord(entries, identityProblem(entries, options.key, IDENTITIES_FILE), options.key);
  return new IdentityFile(adapter, record, options.random ?? randomInt);
}

/** The entries of the identity record in `dataDir` (checked against the schema, not verified), or undefined when there is none: for `migrate`. */
export async function readIdentityFile(dataDir: string): Promise<AuditEntry[] | undefined> {
  const { entries, found } = await load(dataDir);
  return found ? entries : undefined;
}

async function load(dataDir: string, fs?: DurableFs) {
  const file = join(dataDir, IDENTITIES_FILE);
  const adapter = new DurableJsonFile<IdentityDocument>(
    file,
    (value) => {
      const parsed = IdentityDocument.safeParse(value);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0]!;
      throw new StoreError(`${file}: is not a valid identity record (${issue.path.join('.') || 'top level'}: ${issue.message}); fix or remove it and start again`, file);
    },
    fs,
  );
  const doc = await adapter.read();
  return { adapter, entries: doc?.entries ?? [], found: doc != null };
}

class IdentityFile implements IdentityPort {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly adapter: DurableJsonFile<IdentityDocument>,
    private record: IdentityRecord,
    private readonly random: (max: number) => number,
  ) {}

  async aliases(id: string): Promise<string[]> {
    return this.record.reading().aliases(id);
  }

  async read(): Promise<IdentityReading> {
    return this.record.reading();
  }

  issue(actor: Actor, now: Date, refreshNow?: () => Date): Promise<{ code: string; expiresAt: Date }> {
    return this.serial(() => this.write(this.record.issue(actor, now, this.random, refreshNow)));
  }

  redeem(actor: Actor, typed: string, now: Date, refreshNow?: () => Date): Promise<string> {
    return this.serial(() => this.write(this.record.redeem(actor, typed, now, refreshNow)));
  }

  unlink(actor: Actor, other: string, now: Date, refreshNow?: () => Date): Promise<void> {
    return this.serial(() => this.write(this.record.unlink(actor, other, now, refreshNow)));
  }

  /** Writes the step's entry; memory changes only once it is on disk. */
  private async write<T>(step: Step<T>): Promise<T> {
    const next = this.record.after(step.entry);
    await this.adapter.write({ version: 1, entries: [...next.all()] });
    this.record = next;
    return outcomeOf(step);
  }

  /** Each request is planned on the record as the one before it left it. */
  private serial<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
