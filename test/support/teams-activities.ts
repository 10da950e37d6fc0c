// Activities as Teams sends them to a bot (message, adaptiveCard/action invoke, conversationUpdate,
// installationUpdate), with the `serviceUrl` of a fake Bot Connector. Message text is HTML, as in
// Teams: the person's `<`, `>` and `&` as entities, each mention an `<at>…</at>` with its entity.

export const TENANT = '8a1c6a5e-0c0f-4c3b-9d0e-5b2f0e6d7a11';
export const BOT = { id: '28:6f1b0c2e-7d4a-4e0b-9a55-3f2d8c1e9b70', name: 'golive' } as const;
/** A team channel; a message in it names its thread as `<channel>;messageid=<id>`. */
export const CHANNEL = '19:4f0a1c2b3d4e5f60718293a4b5c6d7e8@thread.tacv2';
export const GROUP_CHAT = '19:9a8b7c6d-group-chat_5e4f3a2b@unq.gbl.spaces';

export interface TeamsUser {
  id: string;
  name: string;
  /** A tag (a named group of people in a team), mentioned like a person. */
  tag?: true;
}

export type Where = { kind: 'channel'; thread?: string } | { kind: 'groupChat' } | { kind: 'personal'; id: string };

const asHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

let serial = 0;
const nextId = () => `17${String(30_000_000_000 + ++serial)}`;

export function teamsActivities(serviceUrl: string) {
  const conversation = (where: Where, messageId: string) => {
    if (where.kind === 'channel') return { id: `${CHANNEL};messageid=${where.thread ?? messageId}`, conversationType: 'channel', isGroup: true, tenantId: TENANT };
    if (where.kind === 'groupChat') return { id: GROUP_CHAT, conversationType: 'groupChat', isGroup: true, tenantId: TENANT };
    return { id: where.id, conversationType: 'personal', tenantId: TENANT };
  };
  const channelData = (where: Where) => ({
    tenant: { id: TENANT },
    ...(where.kind === 'channel' && { team: { id: '19:team-general@thread.tacv2' }, channel: { id: CHANNEL } }),
  });
  const base = (type: string, from: TeamsUser, where: Where, id = nextId()) => ({
    type,
    id,
    timestamp: '2019-11-07T09:00:00.000Z',
    channelId: 'msteams',
    serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: `aad-${from.id.slice(3, 12)}` },
    recipient: { id: BOT.id, name: BOT.name },
    conversation: conversation(where, id),
    channelData: channelData(where),
    locale: 'en-GB',
  });

  return {
    /**
     * A message as Teams sends it. `text` is what the person typed; `@{Name}` in it becomes a
     * mention of `people[Name]`. In a channel or group chat golive is mentioned first, as it must be.
     */
    message(from: TeamsUser, text: string, where: Where, people: Record<string, TeamsUser> = {}) {
      const entities: Array<Record<string, unknown>> = [];
      const mentionBot = where.kind !== 'personal';
      if (mentionBot) entities.push({ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: { id: BOT.id, name: BOT.name } });
      const html = asHtml(text).replace(/@\{([^}]+)\}/g, (_all, name: string) => {
        const person = people[name];
        if (!person) throw new Error(`no person ${name} to mention`);
        entities.push({ type: 'mention', text: `<at>${person.name}</at>`, mentioned: { id: person.id, name: person.name, ...(person.tag && { type: 'tag' }) } });
        return `<at>${person.name}</at>`;
      });
      return { ...base('message', from, where), textFormat: 'xml', text: `<p>${mentionBot ? `<at>${BOT.name}</at> ` : ''}${html}</p>`, entities };
    },

    /** An Action.Execute press: Teams' `adaptiveCard/action` invoke, with the inputs merged into `data`. */
    cardAction(from: TeamsUser, verb: string, data: Record<string, unknown>, where: Where, trigger: 'manual' | 'automatic' = 'manual') {
      return { ...base('invoke', from, where, `f:${nextId()}`), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger } };
    },

    /** golive added to a team (its General channel) or a group chat. */
    botAdded(by: TeamsUser, where: Where) {
      return { ...base('conversationUpdate', by, where), membersAdded: [{ id: BOT.id }] };
    },

    botRemoved(by: TeamsUser, where: Where) {
      return { ...base('conversationUpdate', by, where), membersRemoved: [{ id: BOT.id }] };
    },

    /** golive installed (`add`) or uninstalled (`remove`), for example in someone's personal scope. */
    installation(by: TeamsUser, where: Where, action: 'add' | 'remove') {
      return { ...base('installationUpdate', by, where), action };
    },
  };
}

export type TeamsActivities = ReturnType<typeof teamsActivities>;
