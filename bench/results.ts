import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';

// Every figure the benchmarks produce, printed as a table and kept as JSON in bench/results.json,
// so a run can be compared with the last one and quoted in the README; with the budgets
// judged against them in one closing table.

export type Figure = Record<string, string | number | boolean | null>;

/** One of the budgets against the figure a run measured. */
export interface BudgetRow {
  budget: string;
  store: string;
  measured: number;
  limit: number;
  unit: string;
  met: boolean;
  /** What the figure is, where it is not plain from the budget. */
  note?: string;
}

/** The unit of a yes-or-no budget: shown as yes or no, kept as 1 or 0. */
const YES = 'yes=1';
const shown = (value: number, unit: string) => (unit === YES ? (value === 1 ? 'yes' : 'no') : `${value} ${unit}`);

const RESULTS = new URL('./results.json', import.meta.url);
const sections: Record<string, Figure[]> = {};
const budgets: BudgetRow[] = [];

/** Adds rows to a section (one table), and prints them. */
export function report(section: string, rows: Figure[]): void {
  (sections[section] ??= []).push(...rows);
  console.log(`\n${section}`);
  console.table(rows);
}

/** Judges a figure against a budget it must stay under (or at): printed at the end, kept in results.json. */
export function judge(budget: string, store: string, measured: number, limit: number, unit: string, note?: string): void {
  budgets.push({ budget, store, measured: round(measured), limit, unit, met: measured <= limit, ...(note && { note }) });
}

/** A budget that is a yes or no (each fan-out message delivered once): 1 for yes, against a limit of 1. */
export function judgeThat(budget: string, store: string, held: boolean, note: string): void {
  budgets.push({ budget, store, measured: held ? 1 : 0, limit: 1, unit: YES, met: held, note });
}

/** The machine a run is on, with its load when the run began: the machine is part of the figure. */
export function machine(): Figure {
  const [one, five, fifteen] = loadavg();
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: `${one!.toFixed(2)} ${five!.toFixed(2)} ${fifteen!.toFixed(2)}`,
  };
}

/** Prints the budgets table, and writes every section and budget so far. */
export async function saveResults(ranOn: Figure, settings: Figure): Promise<string> {
  if (budgets.length > 0) {
    console.log("\nthe issue's budgets (issue 10), this run");
    console.table(
      budgets.map((b) => ({
        budget: b.budget,
        store: b.store,
        measured: shown(b.measured, b.unit),
        limit: `${b.unit === YES ? '' : '≤ '}${shown(b.limit, b.unit)}`,
        result: b.met ? 'met' : 'MISSED',
        ...(b.note && { note: b.note }),
      })),
    );
    const missed = budgets.filter((b) => !b.met).length;
    console.log(`${budgets.length - missed} of ${budgets.length} met, ${missed} missed`);
  }
  console.log('machine:', JSON.stringify(ranOn));
  const path = RESULTS.pathname;
  await writeFile(path, `${JSON.stringify({ ranAt: new Date().toISOString(), machine: ranOn, settings, budgets, sections }, null, 2)}\n`);
  return path;
}

/** The figure rounded for a table: milliseconds to 0.01, ratios to 0.01. */
export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
