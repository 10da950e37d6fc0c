import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { SLUG_PATTERN } from '../../domain/primitives.js';
import { Template } from '../../domain/template.js';
import { projectPath } from '../../project-path.js';

// The project's templates/, not the cwd's: the bot may be started from anywhere, compiled or not.
export const DEFAULT_TEMPLATES_DIR = projectPath('templates') + path.sep;

const EXT = '.yaml';

// The YAML parser is loaded when a template is first read (a release being created), not with the
// rest of golive: loading it was a twentieth of start-up.
let parser: Promise<YamlParser> | undefined;
type YamlParser = typeof import('yaml')['parseDocument'];
const yamlParser = (): Promise<YamlParser> => (parser ??= import('yaml').then((yaml) => yaml.parseDocument));

export interface TemplateProblem {
  /** Dotted field path, e.g. `criteria.2.owners.roles.0`; empty for the file as a whole. */
  path: string;
  message: string;
  /** Where a YAML syntax error is, 1-based. */
  line?: number;
  column?: number;
}

/** A template that cannot be used. The message names the file and every problem, one per line. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    readonly file?: string,
    readonly problems: readonly TemplateProblem[] = [],
  ) {
    super(message);
  }
}

export interface TemplateSummary {
  id: string;
  name: string;
  description?: string;
}

export async function loadTemplate(id: string, dir: string = DEFAULT_TEMPLATES_DIR): Promise<Template> {
  // Checked before any path is built, so `../x` or `a/b` never reaches the file system.
  if (!SLUG_PATTERN.test(id)) {
    throw new TemplateError(`"${id}" is not a template id: ids are lower-case letters, digits and dashes.`);
  }
  const file = path.join(dir, id + EXT);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new TemplateError(`${shown(file)}: cannot be read: ${(error as Error).message}`, shown(file));
    const ids = await templateIds(dir);
    throw new TemplateError(ids.length > 0 ? `There is no template "${id}". Available templates: ${ids.join(', ')}.` : `There is no template "${id}": ${shown(dir)} holds no templates.`);
  }
  return parseTemplate(await yamlParser(), text, file, id);
}

/** Every template in `dir`, validated: one broken template fails the listing rather than hiding. */
export async function listTemplates(dir: string = DEFAULT_TEMPLATES_DIR): Promise<TemplateSummary[]> {
  const ids = await templateIds(dir);
  const templates = await Promise.all(ids.map((id) => loadTemplate(id, dir)));
  return templates.map((t) => ({ id: t.id, name: t.name, ...(t.description !== undefined && { description: t.description }) }));
}

/** Parses and validates one template's YAML text; `file` is used in messages and for the id check. */
function parseTemplate(parseDocument: YamlParser, text: string, file: string, expectedId = path.basename(file, EXT)): Template {
  const where = shown(file);
  const doc = parseDocument(text, { prettyErrors: true });
  // The first syntax error only: later ones are usually the parser losing its footing after it.
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    const at = pos ? `line ${pos.line}, column ${pos.col}` : '';
    const message = `YAML syntax error: ${syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    throw new TemplateError(`${where}: ${at ? `${at}: ` : ''}${message}`, where, [{ path: '', message, ...(pos && { line: pos.line, column: pos.col }) }]);
  }
  const parsed = Template.safeParse(doc.toJS(), { error: friendlier });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    throw new TemplateError(problems.map((p) => `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'), where, problems);
  }
  if (parsed.data.id !== expectedId) {
    const message = `id "${parsed.data.id}" does not match the file name ${expectedId}${EXT}; they must be the same`;
    throw new TemplateError(`${where}: id: ${message}`, where, [{ path: 'id', message }]);
  }
  return parsed.data;
}

async function templateIds(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names
      .filter((n) => n.endsWith(EXT) && SLUG_PATTERN.test(n.slice(0, -EXT.length)))
      .map((n) => n.slice(0, -EXT.length))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A path as the person running the bot would type it: relative when under the cwd. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

// Zod's defaults ("Invalid input") do not tell a template author what to write.
function friendlier(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_type' && !issue.path?.length && issue.expected === 'object') return 'must be a YAML mapping of template fields (id, name, criteria, ...)';
  if (issue.code === 'invalid_union') {
    const { options, discriminator } = issue as { options?: unknown[]; discriminator?: string };
    if (issue.note === 'No matching discriminator' && options && discriminator) {
      const value = typeof issue.input === 'object' && issue.input !== null ? (issue.input as Record<string, unknown>)[discriminator] : undefined;
      return `${value === undefined ? 'is missing' : `${JSON.stringify(value)} is not a known ${discriminator}`}; use one of ${options.join(', ')}`;
    }
    const literals = issue.errors.map((branch) => (branch.length === 1 && branch[0]!.code === 'invalid_value' ? branch[0]!.values : undefined));
    if (literals.length > 0 && literals.every((v) => v !== undefined)) return `must be one of ${literals.flat().map(String).join(', ')}`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return undefined;
}
