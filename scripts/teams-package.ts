// `npm run teams:package`: builds the zip a Teams admin uploads (manifest.json, color.png and
// outline.png at its root) from manifest/teams/, with the app id taken from MICROSOFT_APP_ID.
// Every check runs before anything is written, so a failed run leaves no package behind.
//
//   MICROSOFT_APP_ID=<guid> npm run teams:package [-- --out <path>]

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPngSize } from './png.js';
import { writeZip, type ZipEntry } from './zip.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST_DIR = join(ROOT, 'manifest', 'teams');
const DEFAULT_OUT = join(ROOT, 'dist', 'teams', 'golive-teams.zip');
const PLACEHOLDER = '{{MICROSOFT_APP_ID}}';
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// The sizes Teams requires; it refuses a package whose icons differ.
const ICONS = { color: 192, outline: 32 } as const;

class Refusal extends Error {}

function refuse(message: string): never {
  throw new Refusal(message);
}

function parseArgs(argv: readonly string[]): { out: string } {
  let out = DEFAULT_OUT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') {
      const value = argv[++i];
      if (value === undefined || value === '') refuse('--out needs a path, for example --out dist/teams/golive-teams.zip.');
      out = resolve(value);
    } else {
      refuse(`Unknown argument "${arg}". Usage: MICROSOFT_APP_ID=<guid> npm run teams:package [-- --out <path>]`);
    }
  }
  return { out };
}

function readAppId(): string {
  const raw = process.env.MICROSOFT_APP_ID;
  const example = '(a GUID such as 00000000-0000-0000-0000-000000000000, the Microsoft App ID of the bot)';
  if (raw === undefined || raw.trim() === '') refuse(`MICROSOFT_APP_ID is not set. Set it to the bot's app id ${example}.`);
  const id = raw.trim();
  const shown = id.length > 60 ? `${id.slice(0, 60)}…` : id;
  if (!GUID.test(id)) refuse(`MICROSOFT_APP_ID is "${shown}", which is not a GUID ${example}.`);
  return id;
}

function fill(value: unknown, appId: string): unknown {
  if (typeof value === 'string') return value.split(PLACEHOLDER).join(appId);
  if (Array.isArray(value)) return value.map((item) => fill(item, appId));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, appId)]));
  }
  return value;
}

type Manifest = { id?: unknown; bots?: { botId?: unknown }[]; icons?: Record<string, unknown> };

function readManifest(appId: string): Manifest {
  const path = join(MANIFEST_DIR, 'manifest.json');
  if (!existsSync(path)) refuse(`${path} is missing.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    refuse(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) refuse(`${path} must hold a JSON object.`);
  const manifest = fill(parsed, appId) as Manifest;
  const left = JSON.stringify(manifest).match(/\{\{[^}]*\}\}/);
  if (left) refuse(`${path} still has the placeholder ${left[0]} after filling ${PLACEHOLDER}: nothing fills it.`);
  if (manifest.id !== appId) refuse(`${path}: "id" must be ${PLACEHOLDER}, so the package carries MICROSOFT_APP_ID.`);
  if (!Array.isArray(manifest.bots) || manifest.bots.length === 0) refuse(`${path} declares no bot.`);
  for (const bot of manifest.bots) {
    if (typeof bot?.botId !== 'string' || !GUID.test(bot.botId)) refuse(`${path}: every bot's "botId" must be a GUID or ${PLACEHOLDER}.`);
  }
  return manifest;
}

function readIcon(manifest: Manifest, kind: keyof typeof ICONS): ZipEntry {
  const name = manifest.icons?.[kind];
  const size = ICONS[kind];
  // The package is flat, so the icons must be plain file names next to manifest.json.
  if (typeof name !== 'string' || name === '' || basename(name) !== name) {
    refuse(`manifest.json: icons.${kind} must name a PNG file in ${MANIFEST_DIR}, such as "${kind}.png".`);
  }
  const path = join(MANIFEST_DIR, name);
  if (!existsSync(path)) refuse(`The ${kind} icon ${path} is missing (run npx tsx scripts/teams-icons.ts to draw it).`);
  const data = readFileSync(path);
  const found = readPngSize(data);
  if (!found.ok) refuse(`The ${kind} icon ${path} cannot be used: ${found.problem}.`);
  if (found.width !== size || found.height !== size) {
    refuse(`The ${kind} icon ${path} is ${found.width}×${found.height} pixels; Teams requires ${size}×${size}.`);
  }
  return { name, data };
}

function writeAtomically(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

function main(): void {
  const { out } = parseArgs(process.argv.slice(2));
  const appId = readAppId();
  const manifest = readManifest(appId);
  const entries: ZipEntry[] = [{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') }, readIcon(manifest, 'color'), readIcon(manifest, 'outline')];
  if (entries[1]!.name === entries[2]!.name) refuse('manifest.json: icons.color and icons.outline must be two different files.');
  writeAtomically(out, writeZip(entries));
  console.log(`Wrote ${out} (${entries.map((entry) => entry.name).join(', ')}) for app ${appId}.`);
  console.log('Upload it in Teams (Apps, Manage your apps, Upload an app) or in the Teams admin center.');
}

try {
  main();
} catch (error) {
  if (!(error instanceof Refusal)) throw error;
  console.error(`teams:package: ${error.message}`);
  console.error('No package was written.');
  process.exitCode = 1;
}
