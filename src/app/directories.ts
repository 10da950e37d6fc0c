import { platformOf, type PersonId } from '../domain/person-id.js';
import type { Platform } from '../domain/primitives.js';
import type { Directory } from './context.js';
import { UserError } from './request.js';

const NAMES: Record<Platform, string> = { slack: 'Slack', teams: 'Teams', console: 'the console', hook: 'a webhook', golive: 'golive' };

/**
 * The app's one Directory over every platform's: a group id says its platform (`slack:S123`) and
 * is handed, as it is, to that platform's directory. Filled as `serve` makes the adapters, so the
 * app can be built before them.
 */
export class DirectoryRouter implements Directory {
  private readonly directories = new Map<Platform, Directory>();

  constructor(directories: Partial<Record<Platform, Directory>> = {}) {
    for (const [platform, directory] of Object.entries(directories) as [Platform, Directory][]) this.add(platform, directory);
  }

  add(platform: Platform, directory: Directory): void {
    if (this.directories.has(platform)) throw new Error(`Two adapters for ${NAMES[platform]}: each platform is served once.`);
    this.directories.set(platform, directory);
  }

  async expandGroup(id: PersonId): Promise<PersonId[]> {
    const platform = platformOf(id);
    const directory = platform && this.directories.get(platform);
    if (!directory) throw new UserError(`The group ${id} is on ${platform ? NAMES[platform] : 'no platform golive knows'}, which golive is not connected to here; name the people instead.`);
    return directory.expandGroup(id);
  }
}
