import type { webApi } from '@slack/bolt';
import type { Directory } from '../../src/app/context.js';
import { UserError } from '../../src/app/request.js';
import { localId, platformOf, qualify } from '../../src/domain/person-id.js';

/** `@@slack:S…` in a command means its members, as Slack lists them now, as `slack:U…` ids. */
export function slackDirectory(client: webApi.WebClient): Directory {
  return {
    async expandGroup(groupId) {
      if (platformOf(groupId) !== 'slack') throw new UserError(`${groupId} is not a Slack user group; name the people instead.`);
      const id = localId(groupId);
      try {
        const result = await client.usergroups.users.list({ usergroup: id });
        const users = result.users ?? [];
        if (users.length === 0) throw new UserError(`The user group ${id} has nobody in it.`);
        return users.map((user) => qualify('slack', user));
      } catch (error) {
        if (error instanceof UserError) throw error;
        throw new UserError(`Could not read the members of user group ${id}: ${(error as Error).message}`);
      }
    },
  };
}
