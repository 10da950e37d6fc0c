// `npm run teams:package` run as a real process: the zip a Teams admin uploads, what is inside it,
// and refusals that leave nothing behind. Also holds the manifest's suggested commands against
// golive's real grammar, so the menu Teams shows cannot drift from what the bot understands.

import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../src/app/language/parser.js';
import { crc32, crc32ByTable } from '../scripts/crc32.js';
import { encodePng, readPngSize } from '../scripts/png.js';
import { writeZip } from '../scripts/zip.js';
import { decodePng, readZip } from './teams-package-read.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const APP_ID = '8f2b7c1e-4a3d-4b5e-9c6f-0d1e2f3a4b5c';
const FILES = ['manifest.json', 'color.png', 'outline.png'];
const SCOPES = ['team', 'groupChat', 'personal'];
const COMMANDS = ['release status', 'release todo', 'release confirm', 'release signoff', 'release decide', 'release history', 'release help', 'release whoami link'];
// unzip is on this machine but not promised on every new one; the zip is also read by our own reader.
const unzip = spawnSync('/usr/bin/unzip', ['-v']).status === 0 ? '/usr/bin/unzip' : undefined;

const temps: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'golive-teams-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runPackage(appId: string | undefined, args: string[], base = root): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.MICROSOFT_APP_ID;
  if (appId !== undefined) env.MICROSOFT_APP_ID = appId;
  return new Promise((done) => {
    execFile(process.execPath, ['--import', tsx, join(base, 'scripts', 'teams-package.ts'), ...args], { cwd: base, env }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** A copy of the scripts and manifest folder, to break without touching the real ones. */
function copyProject(): string {
  const base = temp();
  cpSync(join(root, 'scripts'), join(base, 'scripts'), { recursive: true });
  cpSync(join(root, 'manifest', 'teams'), join(base, 'manifest', 'teams'), { recursive: true });
  writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n');
  return base;
}

type Command = { title: string; description: string };
type Manifest = {
  $schema: string;
  manifestVersion: string;
  id: string;
  name: { short: string; full?: string };
  description: { short: string; full: string };
  developer: Record<string, string>;
  icons: { color: string; outline: string };
  accentColor: string;
  permissions: string[];
  validDomains: string[];
  bots: { botId: string; scopes: string[]; supportsFiles: boolean; isNotificationOnly: boolean; commandLists: { scopes: string[]; commands: Command[] }[] }[];
};

describe('npm run teams:package with a valid app id', () => {
  const out = join(temp(), 'nested', 'golive-teams.zip');
  let run: Run;
  let zip: Buffer;
  let entries: ReturnType<typeof readZip> = [];
  const file = (name: string) => {
    const entry = entries.find((candidate) => candidate.name === name);
    if (entry === undefined) throw new Error(`${name} is not in the package`);
    return entry.data;
  };
  beforeAll(async () => {
    run = await runPackage(APP_ID, ['--out', out]);
    zip = existsSync(out) ? readFileSync(out) : Buffer.alloc(0);
    if (run.code === 0) entries = readZip(zip);
  });

  it('writes the zip where --out says, creating the folder, and says so', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(out);
    expect(zip.length).toBeGreaterThan(0);
  });

  it('holds exactly manifest.json, color.png and outline.png at the root, with correct checksums', () => {
    expect(entries.map((entry) => entry.name)).toEqual(FILES);
    expect(file('color.png').equals(readFileSync(join(root, 'manifest', 'teams', 'color.png')))).toBe(true);
    expect(file('outline.png').equals(readFileSync(join(root, 'manifest', 'teams', 'outline.png')))).toBe(true);
  });

  it.skipIf(unzip === undefined)('is read the same way by Info-ZIP unzip', () => {
    const listing = spawnSync(unzip!, ['-Z1', out], { encoding: 'utf8' });
    expect(listing.stdout.trim().split('\n')).toEqual(FILES);
    const tested = spawnSync(unzip!, ['-t', out], { encoding: 'utf8' });
    expect(tested.status).toBe(0);
    expect(tested.stdout).toContain('No errors detected');
    const manifest = spawnSync(unzip!, ['-p', out, 'manifest.json']);
    expect(manifest.stdout.equals(file('manifest.json'))).toBe(true);
  });

  it('carries the app id in id and botId, with no placeholder left', () => {
    const text = file('manifest.json').toString('utf8');
    expect(text).not.toContain('{{');
    const manifest = JSON.parse(text) as Manifest;
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0]!.botId).toBe(APP_ID);
  });

  it('is a bot for channels, group chats and personal chats, conversational, without files', () => {
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as Manifest;
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.19);
    const bot = manifest.bots[0]!;
    expect([...bot.scopes].sort()).toEqual([...SCOPES].sort());
    expect(bot.supportsFiles).toBe(false);
    expect(bot.isNotificationOnly).toBe(false);
    expect([...manifest.permissions].sort()).toEqual(['identity', 'messageTeamMembers']);
    expect(manifest.validDomains).toEqual([]);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(manifest.accentColor).toMatch(/^#[0-9a-fA-F]{6}$/);
  });

  it('lists the common commands once for each scope, within the limits Teams documents', () => {
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as Manifest;
    const lists = manifest.bots[0]!.commandLists;
    expect(lists.flatMap((list) => list.scopes).sort()).toEqual([...SCOPES].sort());
    for (const list of lists) {
      expect(list.commands.map((command) => command.title)).toEqual(COMMANDS);
      // The commands menu takes 10 commands, titles of 32 and descriptions of 128 characters:
      // newer schemas allow more, older clients and the docs for the menu do not.
      expect(list.commands.length).toBeLessThanOrEqual(10);
      for (const command of list.commands) {
        expect(command.title.length).toBeLessThanOrEqual(32);
        expect(command.description.length).toBeGreaterThan(0);
        expect(command.description.length).toBeLessThanOrEqual(128);
      }
    }
  });

  it('keeps names and descriptions within the schema limits', () => {
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as Manifest;
    expect(manifest.name.short).toBe('golive');
    expect(manifest.name.full!.length).toBeLessThanOrEqual(100);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);
    expect(manifest.developer.name!.length).toBeLessThanOrEqual(32);
    for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) expect(manifest.developer[key]).toMatch(/^https:\/\//);
  });

  it('has a full-colour 192×192 icon and a white-on-transparent 32×32 outline', () => {
    const color = decodePng(file('color.png'));
    expect([color.width, color.height]).toEqual([192, 192]);
    const colours = new Set<string>();
    for (let i = 0; i < color.rgba.length; i += 4) {
      expect(color.rgba[i + 3]).toBe(255);
      colours.add(color.rgba.subarray(i, i + 3).join());
    }
    const accent = JSON.parse(file('manifest.json').toString('utf8')).accentColor as string;
    expect(colours.has([1, 3, 5].map((at) => Number.parseInt(accent.slice(at, at + 2), 16)).join())).toBe(true);

    const outline = decodePng(file('outline.png'));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const alphas = new Set<number>();
    for (let i = 0; i < outline.rgba.length; i += 4) {
      expect([...outline.rgba.subarray(i, i + 3)]).toEqual([255, 255, 255]);
      alphas.add(outline.rgba[i + 3]!);
    }
    expect(alphas.has(0)).toBe(true);
    expect(alphas.has(255)).toBe(true);
  });

  it('gives the same bytes when run again with the same inputs', async () => {
    const again = join(temp(), 'again.zip');
    expect((await runPackage(APP_ID, ['--out', again])).code).toBe(0);
    expect(readFileSync(again).equals(zip)).toBe(true);
  });
});

describe('npm run teams:package refuses and writes nothing', () => {
  it('without MICROSOFT_APP_ID', async () => {
    const dir = join(temp(), 'out');
    const run = await runPackage(undefined, ['--out', join(dir, 'golive-teams.zip')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('MICROSOFT_APP_ID is not set');
    expect(run.stderr).toContain('No package was written.');
    expect(existsSync(dir)).toBe(false);
  });

  it('with an app id that is not a GUID, leaving an earlier package untouched', async () => {
    const out = join(temp(), 'golive-teams.zip');
    writeFileSync(out, 'earlier package');
    const run = await runPackage('golive-bot', ['--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('MICROSOFT_APP_ID is "golive-bot", which is not a GUID');
    expect(readFileSync(out, 'utf8')).toBe('earlier package');
  });

  it('when an icon has the wrong size, or is missing', async () => {
    const base = copyProject();
    writeFileSync(join(base, 'manifest', 'teams', 'outline.png'), encodePng(48, 48, new Uint8Array(48 * 48 * 4)));
    const wrong = await runPackage(APP_ID, [], base);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('is 48×48 pixels; Teams requires 32×32');
    rmSync(join(base, 'manifest', 'teams', 'color.png'));
    const missing = await runPackage(APP_ID, [], base);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/The color icon .*color\.png is missing/);
    expect(existsSync(join(base, 'dist'))).toBe(false);
  });

  it('when the manifest has a placeholder nothing fills, or is not JSON', async () => {
    const base = copyProject();
    const path = join(base, 'manifest', 'teams', 'manifest.json');
    const original = readFileSync(path, 'utf8');
    writeFileSync(path, original.replace('"version": "1.0.0"', '"version": "{{VERSION}}"'));
    const placeholder = await runPackage(APP_ID, [], base);
    expect(placeholder.code).toBe(1);
    expect(placeholder.stderr).toContain('still has the placeholder {{VERSION}}');
    writeFileSync(path, original.slice(0, -10));
    const broken = await runPackage(APP_ID, [], base);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('is not valid JSON');
    expect(existsSync(join(base, 'dist'))).toBe(false);
  });

  it('writes to dist/teams/golive-teams.zip by default (in a copy of the project)', async () => {
    const base = copyProject();
    const run = await runPackage(APP_ID, [], base);
    expect(run.code).toBe(0);
    expect(readZip(readFileSync(join(base, 'dist', 'teams', 'golive-teams.zip'))).map((entry) => entry.name)).toEqual(FILES);
  });
});

describe('the commands the manifest suggests', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'manifest', 'teams', 'manifest.json'), 'utf8')) as Manifest;
  const titles = [...new Set(manifest.bots[0]!.commandLists.flatMap((list) => list.commands.map((command) => command.title)))];
  it.each(titles)('"%s" is a command of golive\'s grammar', (title) => {
    const [prefix, ...words] = title.split(' ');
    expect(prefix).toBe('release');
    // As typed, the command either runs or asks for its arguments; it is never an unknown command.
    const typed = parse(`/${title}`);
    if (!typed.ok) expect(typed.error.message).not.toMatch(/^Unknown command/);
    // Help knows it as a topic, which only a real command (and sub-command) is.
    expect(parse(`/release help ${words.join(' ')}`)).toEqual({ ok: true, value: { command: { name: 'help', topic: words.join(' ') } } });
  });
});

describe('the zip and PNG helpers', () => {
  it('computes the same CRC-32 with the table as with zlib', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('123456789'), readFileSync(join(root, 'manifest', 'teams', 'color.png'))]) {
      expect(crc32ByTable(data)).toBe(crc32(data));
    }
    expect(crc32ByTable(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('refuses names that would leave the archive root or appear twice', () => {
    expect(() => writeZip([{ name: '../manifest.json', data: Buffer.from('{}') }])).toThrow(/not a relative path/);
    expect(() => writeZip([{ name: '/etc/passwd', data: Buffer.from('') }])).toThrow(/not a relative path/);
    const twice = { name: 'a.txt', data: Buffer.from('a') };
    expect(() => writeZip([twice, twice])).toThrow(/twice/);
  });

  it('stores what deflate cannot shrink and deflates the rest, both readable', () => {
    const entries = readZip(
      writeZip([
        { name: 'empty', data: Buffer.alloc(0) },
        { name: 'text', data: Buffer.from('go '.repeat(100)) },
      ]),
    );
    expect(entries.map((entry) => [entry.name, entry.method, entry.data.toString()])).toEqual([
      ['empty', 0, ''],
      ['text', 8, 'go '.repeat(100)],
    ]);
  });

  it('reads a PNG size from its header and rejects other files', () => {
    expect(readPngSize(encodePng(3, 2, new Uint8Array(24)))).toEqual({ ok: true, width: 3, height: 2 });
    expect(readPngSize(Buffer.from('GIF89a not a png at all, padding padding'))).toEqual({ ok: false, problem: 'it is not a PNG file' });
  });
});
