import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import * as fsp from 'node:fs/promises';

// Small reads (a state file, an outbox, a log's last line, a chunk of a log) are done
// synchronously: through the thread pool each costs two to three times the CPU and longer, and
// opening a store reads thousands of them. Reading a few kilobytes from the page cache holds the
// event loop for microseconds; larger ranges (an audit export) still go through the pool.
const SYNC_READ_BYTES = 1024 * 1024;

/**
 * The file operations a release's files need, each one step of the crash protocol (see
 * release-files.ts): a write is on disk (fsynced) when its promise resolves. Tests pass a wrapper
 * to count the bytes, or to fail or "die" after any step.
 */
export interface ReleaseFs {
  /** The whole file; rejects with code ENOENT when it is absent. */
  read(path: string): Promise<Buffer>;
  /** Bytes [start, end) of a file. */
  readRange(path: string, start: number, end: number): Promise<Buffer>;
  /** Size in bytes; rejects with code ENOENT when the file is absent. */
  size(path: string): Promise<number>;
  /** Creates a file that must not exist yet, with `data`, and syncs it. */
  create(path: string, data: string): Promise<void>;
  /** Appends `data` to an existing file and syncs it. */
  append(path: string, data: string): Promise<void>;
  /** Cuts a file to `length` bytes and syncs it. */
  truncate(path: string, length: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Flushes a file's data to disk. */
  syncFile(path: string): Promise<void>;
  /** Makes the folder's entries (new names, renames, removals) durable. */
  syncFolder(path: string): Promise<void>;
  /** The names in a folder. */
  list(path: string): Promise<string[]>;
}

export const nodeReleaseFs: ReleaseFs = {
  read: async (path) => readFileSync(path),
  readRange: async (path, start, end) => {
    if (end - start <= SYNC_READ_BYTES) return readRangeNow(path, start, end);
    const handle = await fsp.open(path, 'r');
    try {
      const buffer = Buffer.alloc(end - start);
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await handle.read(buffer, done, buffer.length - done, start + done);
        if (bytesRead === 0) throw Object.assign(new Error(`${path}: ends before byte ${end}`), { code: 'ESHORT' });
        done += bytesRead;
      }
      return buffer;
    } finally {
      await handle.close();
    }
  },
  size: async (path) => statSync(path).size,
  create: (path, data) => writeSynced(path, 'wx', data),
  // 'r+' at the end rather than 'a': appending must never create a file whose name is not yet durable.
  append: async (path, data) => {
    const handle = await fsp.open(path, 'r+');
    try {
      const { size } = await handle.stat();
      await handle.write(data, size, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  truncate: async (path, length) => {
    const handle = await fsp.open(path, 'r+');
    try {
      await handle.truncate(length);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  syncFile: async (path) => {
    const handle = await fsp.open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  syncFolder: async (path) => {
    // Windows cannot open a folder for syncing, and NTFS journals renames itself.
    if (process.platform === 'win32') return;
    const handle = await fsp.open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  list: (path) => fsp.readdir(path),
};

function readRangeNow(path: string, start: number, end: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    let done = 0;
    while (done < buffer.length) {
      const read = readSync(fd, buffer, done, buffer.length - done, start + done);
      if (read === 0) throw Object.assign(new Error(`${path}: ends before byte ${end}`), { code: 'ESHORT' });
      done += read;
    }
    return buffer;
  } finally {
    closeSync(fd);
  }
}

async function writeSynced(path: string, flags: 'wx', data: string): Promise<void> {
  const handle = await fsp.open(path, flags);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
