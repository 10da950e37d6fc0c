import { writeFile } from 'node:fs/promises';

// Every figure the platform benchmarks produce, printed as a table and kept as JSON in
// bench/results.json, so a run can be compared with the last one and quoted in the README.

export type Figure = Record<string, string | number | boolean | null>;

const RESULTS = new URL('./results.json', import.meta.url);
const sections: Record<string, Figure[]> = {};

/** Adds rows to a section (one table), and prints them. */
export function report(section: string, rows: Figure[]): void {
  (sections[section] ??= []).push(...rows);
  console.log(`\n${section}`);
  console.table(rows);
}

/** Writes every section so far, with where and when it ran: the machine is part of the figure. */
export async function saveResults(machine: Figure): Promise<string> {
  const path = RESULTS.pathname;
  await writeFile(path, `${JSON.stringify({ ranAt: new Date().toISOString(), machine, sections }, null, 2)}\n`);
  return path;
}

/** The figure rounded for a table: milliseconds to 0.01, ratios to 0.01. */
export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
