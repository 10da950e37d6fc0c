import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { GoliveApp } from '../../src/app/app.js';
import { noGroups } from '../../src/app/context.js';
import type { Store } from '../../src/app/store-port.js';
import { openLowdbStore } from '../../store/lowdb-store.js';
import { openIdentityFile } from '../../store/identity-file.js';
import { runConsole } from '../../adapters/console/console-chat.js';
import { TestClock } from './test-clock.js';
import type { ReleaseDocument } from '../../store/release-document.js';
import { readRecord } from './release-on-disk.js';
import { recordVerifier, type AuditPolicy } from '../../src/app/record-check.js';

/** A real app on a real store in a fresh temp folder, and a console to type into. */
export class Harness {
  private constructor(
    readonly dir: string,
    readonly store: Store,
    readonly app: GoliveApp,
    readonly clock: TestClock,
  ) {}

  /** Opens the store as golive's start-up does: every record verified, a failing one quarantined. */
  static async open(start = '2019-11-01T09:00:00Z', dir?: string, audit: AuditPolicy = {}): Promise<Harness> {
    const folder = dir ?? (await mkdtemp(join(tmpdir(), 'golive-')));
    const store = await openLowdbStore(folder, { verify: recordVerifier(audit) });
    const clock = new TestClock(start);
    const identities = await openIdentityFile(folder, { key: audit.key });
    return new Harness(folder, store, new GoliveApp({ store, clock, directory: noGroups, audit, identities }), clock);
  }

  /** A fresh harness with `script` already run through the console, which must not fail. */
  static async openWith(script: string, start?: string): Promise<Harness> {
    const h = await Harness.open(start);
    const { status, output } = await h.run(script);
    if (status !== 0) throw new Error(`the set-up script failed:\n${output}`);
    return h;
  }

  /** Pipes `script` into the console as a non-terminal would; returns what it printed and its exit status. */
  async run(script: string, user = 'rita'): Promise<{ output: string; status: number }> {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const status = await runConsole({ app: this.app, input: Readable.from([script]), output: sink, interactive: false, user, workingDir: this.workingDir, clock: this.clock });
    return { output, status };
  }

  /** The console's working directory: `report` and `audit export` write under its reports/. */
  get workingDir(): string {
    return join(this.dir, 'work');
  }

  /** The contents of every file the console said it wrote in `output`, in order. */
  async written(output: string): Promise<string[]> {
    const paths = [...output.matchAll(/: written to (\S+)$/gm)].map((m) => m[1]!);
    return Promise.all(paths.map((path) => readFile(path, 'utf8')));
  }

  /** A release's record as its files on disk hold it (state, audit log, outbox), validated. */
  async onDisk(id: string): Promise<ReleaseDocument> {
    return readRecord(this.dir, id);
  }

  /** Runs `line` as `user` and returns what the console printed. */
  async as(user: string, line: string): Promise<string> {
    return (await this.run(line, user)).output;
  }

  async close(remove = true): Promise<void> {
    await this.store.close();
    if (remove) await rm(this.dir, { recursive: true, force: true });
  }
}
