import { createHash, randomUUID } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { StoreError } from '../src/app/store-port.js';

/** The few file operations a durable write needs; tests pass a wrapper to watch or break them. */
export interface DurableFs {
  readFile(path: string): Promise<string>;
  open(path: string, flags: 'wx' | 'r'): Promise<SyncableFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export interface SyncableFile {
  writeFile(data: string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export const nodeFs: DurableFs = {
  readFile: (path) => fsp.readFile(path, 'utf8'),
  open: async (path, flags) => {
    const handle = await fsp.open(path, flags);
    return {
      writeFile: (data) => handle.writeFile(data, 'utf8'),
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
};

const TEMP_SUFFIX = '.tmp';

/** True for the temp files this adapter writes; one left behind means a write never finished. */
export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

/**
 * A lowdb adapter for one JSON file. lowdb's own JSONFile renames atomically but never fsyncs,
 * so a write it reports done can vanish in a power cut; this one syncs the file before the
 * rename and the folder after it, so the new name is on disk too.
 *
 * It also writes only over the file it knows: one edited, replaced or deleted by anything else
 * since this adapter last read or wrote it is left exactly as it is, and the write refused.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  // sha256 of the text this adapter last read or wrote; null while it knows the file as absent
  // (a file never read is one the store is about to create).
  private known: string | null = null;

  constructor(
    readonly file: string,
    // Turns parsed JSON into T or throws: the adapter never hands out unchecked data.
    private readonly parse: (value: unknown) => T,
    private readonly fs: DurableFs = nodeFs,
  ) {}

  async read(): Promise<T | null> {
    const text = await this.readText();
    this.known = digestOf(text);
    if (text === null) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new StoreError(`${this.file}: is not valid JSON (${reasonOf(error)})`, this.file);
    }
    return this.parse(value);
  }

  /** Rejects with a StoreError naming the file unless it is still what this adapter last read or wrote. */
  async assertUnchanged(): Promise<void> {
    // Bytes, not size and mtime: an edit within the file system's timestamp tick keeps both.
    if (digestOf(await this.readText()) === this.known) return;
    throw new StoreError(
      `${this.file} was changed on disk by something other than this golive since it was loaded; nothing was written. Restart golive to load it again (start-up checks it).`,
      this.file,
    );
  }

  async write(data: T): Promise<void> {
    await this.assertUnchanged();
    const folder = dirname(this.file);
    const temp = join(folder, `.${basename(this.file)}.${randomUUID()}${TEMP_SUFFIX}`);
    const text = `${JSON.stringify(data, null, 2)}\n`;
    try {
      await this.writeSynced(temp, text);
      await this.fs.rename(temp, this.file);
      this.known = digestOf(text);
    } catch (error) {
      await this.fs.unlink(temp).catch(() => undefined);
      throw new StoreError(`${this.file}: could not be saved (${reasonOf(error)})`, this.file);
    }
    try {
      await this.syncFolder(folder);
    } catch (error) {
      throw new StoreError(`${this.file}: was saved but its folder could not be flushed to disk (${reasonOf(error)})`, this.file);
    }
  }

  private async readText(): Promise<string | null> {
    try {
      return await this.fs.readFile(this.file);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null;
      throw new StoreError(`${this.file}: cannot be read (${reasonOf(error)})`, this.file);
    }
  }

  private async writeSynced(path: string, text: string): Promise<void> {
    const handle = await this.fs.open(path, 'wx');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  // The rename is only durable once the folder's entry for the file is on disk.
  private async syncFolder(folder: string): Promise<void> {
    // Windows cannot open a folder for syncing, and NTFS journals renames itself.
    if (process.platform === 'win32') return;
    const handle = await this.fs.open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function digestOf(text: string | null): string | null {
  return text === null ? null : createHash('sha256').update(text).digest('hex');
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
