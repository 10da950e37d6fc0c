import type { webApi } from '@slack/bolt';
import type { Directory } from '../../src/app/context.js';
import { UserError } from '../../src/app/request.js';

/** `<!subteam^S…>` in a command means its members, as Slack lists them now. */
export function slackDirectory(client: webApi.WebClient): Directory {
  return {
    async expandGroup(id) {
      try {
        const result = await client.usergroups.users.list({ usergroup: id });
        const users = result.users ?? [];
        if (users.length === 0) throw new UserError(`The user group ${id} has nobody in it.`);
        return users;
      } catch (error) {
        if (error instanceof UserError) throw error;
        throw new UserError(`Could not read the members of user group ${id}: ${(error as Error).message}`);
      }
    },
  };
}
