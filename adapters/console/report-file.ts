import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// A file reply (the paper, an audit export) saved where the operator runs the console, rather
// than poured onto the terminal: under <working directory>/reports/, never over an earlier one.

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/;
const MAX_COPIES = 1000;

export class ReportFileError extends Error {}

/** Writes `content` under `dir` as `filename`, or `name-2.ext`, `name-3.ext` … if taken; returns the path. */
export async function writeReportFile(dir: string, filename: string, content: string): Promise<string> {
  // The name comes from a release id, which is checked already; a name that is not plain is refused, never cleaned into another.
  if (!SAFE_NAME.test(filename) || filename.includes('..')) throw new ReportFileError(`"${filename}" is not a safe file name; nothing was written.`);
  await mkdir(dir, { recursive: true }).catch((error: Error) => {
    throw new ReportFileError(`${filename} could not be written to ${dir}: ${error.message}`);
  });
  const dot = filename.lastIndexOf('.');
  const [base, ext] = dot > 0 ? [filename.slice(0, dot), filename.slice(dot)] : [filename, ''];
  for (let copy = 1; copy <= MAX_COPIES; copy++) {
    const path = join(dir, copy === 1 ? filename : `${base}-${copy}${ext}`);
    try {
      // 'wx' fails if the file exists, so two consoles in one folder never overwrite each other.
      await writeFile(path, content, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new ReportFileError(`${filename} could not be written to ${dir}: ${(error as Error).message}`);
    }
  }
  throw new ReportFileError(`${dir} already holds ${MAX_COPIES} copies of ${filename}; move some away and try again.`);
}
