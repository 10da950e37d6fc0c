import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, OutboundHostValidator, type ConnectorClient, type TurnContext } from '@microsoft/agents-hosting';
import { AdapterStartError, type Adapter, type AdapterDeps } from '../../src/app/adapter.js';
import type { ChatPort } from '../../src/app/delivery/chat-port.js';
import { UserError } from '../../src/app/request.js';
import { readBody } from '../hooks/body.js';
import { Connector } from './connector.js';
import type { TeamsConversations } from './conversations.js';
import { openConversationsFile } from './conversations-file.js';
import { ACTIVITY_BODY_MAX, readActivity, sdkRefused, type InboundActivity } from './inbound-activity.js';
import { answerCardAction } from './invoke.js';
import { isLoopback } from './loopback.js';
import { rememberActivity } from './remember.js';
import { onMessage } from './message.js';
import { TeamsOutbound } from './outbound.js';
import type { NameOf } from './people.js';
import type { CardOptions } from './render.js';
import { teamsTell } from './received.js';
import { botAccountId, sdkAuthConfiguration, type TeamsConfig } from './teams-config.js';
import { teamsPort, teamsUserId } from './teams-port.js';
import { turnOf } from './turn.js';
import { refuse, sdkRequest, SdkResponse } from './web-shims.js';

// Teams on the Microsoft 365 Agents SDK: POST /api/messages on golive's one HTTP server. A request
// is checked first (loopback only in local mode, the Bot Service token in bot mode), its body read
// with a size limit and checked as an activity, then run through the SDK's CloudAdapter. Commands
// and button presses go through the inbox before Teams gets its response.

export const TEAMS_PATH = '/api/messages';
export const LOCAL_MODE_NOTICE = 'Teams: anonymous local mode (Agents Playground), loopback requests only';

export interface TeamsAdapterOptions {
  /** GOLIVE_DATA_DIR: where teams-conversations.json is kept. */
  dataDir: string;
  /** Opens where the conversation references are kept instead of the file (PostgreSQL, with DATABASE_URL); called at start. */
  conversations?: (now: () => Date) => Promise<TeamsConversations>;
  /** One Bot Connector request's longest wait (default TEAMS_CALL_TIMEOUT_MS); tests make it short. */
  callTimeoutMs?: number;
}

export class TeamsStartError extends AdapterStartError {}

export type TeamsAdapter = Adapter & {
  /** The stored conversation references, once started (for tests and diagnostics). */
  readonly conversations: () => TeamsConversations;
};

export function createTeamsAdapter(config: TeamsConfig, deps: AdapterDeps, options: TeamsAdapterOptions): TeamsAdapter {
  const cloud = cloudAdapter(config);
  // The SDK's default posts "The agent encountered an error or bug" into the conversation; golive
  // answers errors itself, so they are passed back to whoever called.
  cloud.onTurnError = async (_context, error) => {
    throw error;
  };
  const connector = new Connector(cloud, config.mode === 'bot' ? config.appId : { name: 'anonymous' }, deps.clock, options.callTimeoutMs);
  let store: TeamsConversations | undefined;
  let outbound: TeamsOutbound | undefined;
  let stopped = false;
  const conversations = () => {
    if (!store) throw new Error('the Teams adapter has not been started');
    return store;
  };
  const out = () => {
    outbound ??= new TeamsOutbound(connector, conversations(), botAccountId(config));
    return outbound;
  };
  /** Display names as stored when a card is about to be made: learnt by this golive or another on the same database. */
  const names = async (book: TeamsConversations = conversations()): Promise<NameOf> => {
    const byTeamsId = await book.names();
    return (personId) => (personId.startsWith('teams:') ? byTeamsId(teamsUserId(personId)) : undefined);
  };
  const cardOptions = async (book?: TeamsConversations): Promise<CardOptions> => ({ names: await names(book) });

  async function onTurn(context: TurnContext, activity: InboundActivity): Promise<(() => Promise<void>) | undefined> {
    // The references as this activity is handled: read once (BookKeeper.forActivity). The names a
    // card shows are read alongside the activity's own change to them, and looked up once it is in.
    const book = conversations().forActivity();
    const options = cardOptions(book);
    options.catch(() => undefined);
    // A message's references are saved while its request is (both before Teams has its response, so
    // a restart can still answer the person): on a database, two round trips at once, not one after
    // the other. Anything else is saved first, as it may be what the activity is about.
    const remembering = rememberActivity(conversations(), activity, deps.log);
    if (activity.type !== 'message') await remembering;
    const turn = turnOf(activity);
    if (!turn) return remembering.then(() => undefined);
    // Answers to this activity, sent once Teams has its response, go through the turn's own client.
    const client = context.turnState.get<ConnectorClient | undefined>(cloud.ConnectorClientKey);
    const answering = out().within(client && { serviceUrl: activity.serviceUrl, client }, book);
    if (activity.type === 'message') {
      const [after] = await Promise.all([onMessage(deps, answering, turn, options), remembering]);
      return after;
    }
    if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
      const answer = await answerCardAction(deps, answering, turn, activity.value, await options);
      await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: answer.body } } as Parameters<TurnContext['sendActivity']>[0]);
      return answer.after;
    }
    return undefined;
  }

  async function serveRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (stopped) return refuse(res, 503, 'golive is stopping');
    if (req.method !== 'POST') return refuse(res, 405, 'POST only');
    let user: Record<string, unknown> | undefined;
    if (config.mode === 'local') {
      if (!isLoopback(req.socket.remoteAddress)) return refuse(res, 403, 'golive runs Teams in local mode (TEAMS_LOCAL=1): only requests from this machine are accepted');
      user = { name: 'anonymous' };
    } else {
      // The Bot Service token, checked by the SDK before anything else is read.
      const checked = sdkRequest(req);
      const answer = new SdkResponse(res);
      let authorised = false;
      await cloud.authorizeRequest(checked, answer, () => {
        authorised = true;
      });
      if (!authorised || !checked.user) return refuse(res, 401, 'Unauthorized');
      user = checked.user;
    }
    const body = await readBody(req, ACTIVITY_BODY_MAX);
    if (!body.ok) return refuse(res, 413, 'That request is too large.');
    const read = readActivity(body.body);
    if (!read.ok) {
      deps.log(`teams: refused a request: ${read.reason}`);
      return refuse(res, 400, `Bad request: ${read.reason}`);
    }
    let after: (() => Promise<void>) | undefined;
    let turned = false;
    try {
      await cloud.process({ ...sdkRequest(req, read.body), user }, new SdkResponse(res), async (context) => {
        turned = true;
        after = await onTurn(context, read.activity);
      });
    } catch (error) {
      if (turned || !sdkRefused(error)) throw error;
      deps.log('teams: refused a request: not an activity the SDK can read');
      return refuse(res, 400, 'Bad request: not an activity the SDK can read');
    }
    // Teams has its response by now; what is left is answering the person.
    if (after) await after();
  }

  return {
    platform: 'teams',
    conversations,
    mounts: [
      {
        path: TEAMS_PATH,
        listener: (req, res) =>
          void deps.inflight
            .run(() => serveRequest(req, res))
            .catch((error: unknown) => {
              deps.log(`teams: request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
              refuse(res, 500, 'golive could not handle that request');
            }),
      },
    ],
    async start() {
      const now = () => deps.clock.now();
      store ??= await (options.conversations ? options.conversations(now) : openConversationsFile(options.dataDir, now));
      stopped = false;
      if (config.mode === 'local') deps.log(LOCAL_MODE_NOTICE);
    },
    async stop() {
      stopped = true;
    },
    chat: lazyPort(() => teamsPort(deps.app, out(), names)),
    directory: {
      async expandGroup(id) {
        throw new UserError(`golive cannot list the members of a Teams tag (${id}) yet: name the people instead.`);
      },
    },
    tell: teamsTell(out, cardOptions),
  };
}

function cloudAdapter(config: TeamsConfig): CloudAdapter {
  try {
    // Options and the outbound host policy are given, so nothing is read from the environment behind golive's back.
    // validateServiceUrl: an activity's service URL must match the one its token was issued for.
    return new CloudAdapter(sdkAuthConfiguration(config), undefined, undefined, { emitStackTrace: false, validateServiceUrl: true }, new OutboundHostValidator({ enabled: false }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (config.mode === 'local' && process.env.NODE_ENV?.toLowerCase() === 'production') {
      throw new TeamsStartError(`TEAMS_LOCAL=1 is for local tools and cannot run with NODE_ENV=production (the SDK refuses an anonymous bot there): ${reason}`);
    }
    throw new TeamsStartError(`the Teams settings were not accepted by the Agents SDK: ${reason}`);
  }
}

/** The port exists before start(); it is built on first use, once the conversation store is open. */
function lazyPort(build: () => ChatPort): ChatPort {
  let port: ChatPort | undefined;
  const get = () => (port ??= build());
  return {
    post: (channel, view, key) => get().post(channel, view, key),
    update: (channel, ref, view) => get().update(channel, ref, view),
    dm: (person, view, key) => get().dm(person, view, key),
  };
}
