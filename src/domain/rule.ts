import { z } from 'zod';

// A rule is data (it lives in templates and on disk), so it is a small closed vocabulary
// rather than code: each kind names exactly which facts it reads.
const Severity = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]);

export type Rule =
  | { kind: 'no-defects'; severities: Array<1 | 2 | 3 | 4 | 5> }
  | { kind: 'defect-plans'; severities: Array<1 | 2 | 3 | 4 | 5> }
  | { kind: 'testing-issues-within-threshold' }
  | { kind: 'test-phases-closed' }
  | { kind: 'environment-noted' }
  | { kind: 'all'; rules: Rule[] };

export const Rule: z.ZodType<Rule> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('no-defects'), severities: z.array(Severity).min(1) }).strict(),
    z.object({ kind: z.literal('defect-plans'), severities: z.array(Severity).min(1) }).strict(),
    z.object({ kind: z.literal('testing-issues-within-threshold') }).strict(),
    z.object({ kind: z.literal('test-phases-closed') }).strict(),
    z.object({ kind: z.literal('environment-noted') }).strict(),
    z.object({ kind: z.literal('all'), rules: z.array(Rule).min(1) }).strict(),
  ]),
);

export type FactName = 'defects' | 'testingIssues' | 'phases' | 'environment';
