import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { SlackConfig } from '../../src/config.js';
import { AdapterStartError, type Adapter, type AdapterDeps } from '../../src/app/adapter.js';
import type { SlackDeps } from './deps.js';
import { createSlackClient, slackClientOptions } from './client.js';
import { slackDirectory } from './directory.js';
import { slackPort } from './slack-port.js';
import { slackTell } from './received.js';
import { registerCommand } from './listeners/command.js';
import { registerActions } from './listeners/actions.js';
import { registerViews } from './listeners/views.js';
import { registerHome } from './listeners/home.js';

/** Where Slack sends commands, interactivity and events in HTTP mode. */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Slack as golive sees it: in HTTP mode its requests arrive at POST /slack/events on the shared
 * server; in Socket Mode (an app-level token) over a connection `start` opens, with no mount.
 */
export function createSlackAdapter(config: SlackConfig, deps: AdapterDeps): Adapter {
  const client = createSlackClient(config);
  const outward = { platform: 'slack' as const, chat: slackPort(client, deps.log), directory: slackDirectory(client), tell: slackTell(client) };
  const clientOptions = slackClientOptions(config);
  const logger = quietLogger(deps.log);
  if (config.appToken) {
    // The receiver is built here (not by App) so stop() can wait for the socket to close. Its
    // client keeps Socket Mode's own retries for apps.connections.open (golive's no-retry options
    // are for posts): with none, one 500 or network error while reconnecting rejects inside the
    // Socket Mode client, where nothing handles it, and stops the process.
    const socketClientOptions = { ...(config.apiUrl && { slackApiUrl: config.apiUrl }), logLevel: LogLevel.ERROR };
    const receiver = new SocketModeReceiver({ appToken: config.appToken, logger, logLevel: LogLevel.ERROR, installerOptions: { clientOptions: socketClientOptions } });
    const app = new App({ token: config.botToken, receiver, socketMode: true, deferInitialization: true, clientOptions, logger, logLevel: LogLevel.ERROR, convoStore: false });
    register(app, deps);
    return {
      ...outward,
      mounts: [],
      start: async () => {
        await initialise(app);
        try {
          await app.start();
        } catch (error) {
          throw new SlackStartError(`Slack did not open a Socket Mode connection with the app-level token (SLACK_APP_TOKEN): ${(error as Error).message}`);
        }
      },
      // Bolt's app.stop() only starts the close handshake; this resolves once the socket has
      // closed (and no reconnection is pending), so nothing outlives close().
      stop: async () => {
        // A reconnection still waiting for Slack's hello has a start() that disconnect() rejects
        // where nothing catches it, which would stop the process: drop that listener first.
        receiver.client.removeAllListeners('disconnected');
        await receiver.client.disconnect();
      },
    };
  }
  if (!config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required in HTTP mode');
  const receiver = new HTTPReceiver({
    signingSecret: config.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    logger,
    logLevel: LogLevel.ERROR,
    // A payload that does not parse is answered 400 and logged, never thrown at the server.
    dispatchErrorHandler: async ({ error, response }) => {
      deps.log(`slack: could not dispatch a request: ${error.message}`);
      if (!response.headersSent) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end('Bad request');
      }
    },
  });
  // No conversation store (convoStore: false): golive keeps what it needs in its own store, and
  // Bolt's in-memory one costs a look-up on every request and holds state per conversation.
  const app = new App({ token: config.botToken, receiver, deferInitialization: true, clientOptions, logger, logLevel: LogLevel.ERROR, convoStore: false });
  register(app, deps);
  return { ...outward, mounts: [{ path: SLACK_EVENTS_PATH, listener: receiver.requestListener }], start: () => initialise(app), stop: async () => undefined };
}

/**
 * Bolt checks the token with auth.test when it initialises; done here, a bad token or an
 * unreachable API stops start-up with a message instead of an unhandled rejection later.
 */
async function initialise(app: App): Promise<void> {
  try {
    await app.init();
  } catch (error) {
    throw new SlackStartError(`Slack did not accept the bot token (SLACK_BOT_TOKEN): ${(error as Error).message}`);
  }
}

export class SlackStartError extends AdapterStartError {}

function register(app: App, deps: SlackDeps): void {
  // A retried event was already acknowledged and handled the first time.
  app.use(async (args) => {
    if (!args.context.retryNum) return args.next();
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
  });
  registerCommand(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerHome(app, deps);
  app.error(async (error) => {
    deps.log(`slack: ${error.message}`);
  });
}

function quietLogger(log: (message: string) => void) {
  let level = LogLevel.ERROR;
  const drop = () => undefined;
  return {
    debug: drop,
    info: drop,
    warn: (...args: unknown[]) => log(`slack warning: ${args.map(String).join(' ')}`),
    error: (...args: unknown[]) => log(`slack error: ${args.map(String).join(' ')}`),
    setLevel: (next: typeof level) => void (level = next),
    getLevel: () => level,
    setName: drop,
  };
}
