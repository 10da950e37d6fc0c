import { Platform } from '../domain/primitives.js';
import type { Directory } from './context.js';
import { UserError } from './request.js';

const NAMES: Record<Platform, string> = { slack: 'Slack', teams: 'Teams', console: 'the console', hook: 'a webhook', golive: 'golive' };

/**
 * The app's one Directory over every platform's: an id says its platform (`slack:S123`) and is
 * handed, as it is, to that platform's directory. Filled as `serve` makes the adapters, so the
 * app can be built before them.
 */
export class DirectoryRouter implements Directory {
  private readonly directories = new Map<Platform, Directory>();

  add(platform: Platform, directory: Directory): void {
    if (this.directories.has(platform)) throw new Error(`Two adapters for ${NAMES[platform]}: each platform is served once.`);
    this.directories.set(platform, directory);
  }

  async expandGroup(id: string): Promise<string[]> {
    return this.route(id).expandGroup(id);
  }

  private route(id: string): Directory {
    const colon = id.indexOf(':');
    const platform = colon > 0 ? Platform.safeParse(id.slice(0, colon)) : undefined;
    if (platform?.success) {
      const directory = this.directories.get(platform.data);
      if (!directory) throw new UserError(`The group ${id} is on ${NAMES[platform.data]}, which golive is not connected to here; name the people instead.`);
      return directory;
    }
    // An id that does not name its platform (recorded before ids did) can only mean the one there is.
    const [only, ...others] = this.directories.values();
    if (only && others.length === 0) return only;
    throw new UserError(`golive cannot tell which platform the group ${id} is on; name the people instead.`);
  }
}
