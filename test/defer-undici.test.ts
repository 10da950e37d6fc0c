import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deferUndici } from '../adapters/slack/defer-undici.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { startFakeSocketMode, type FakeSocketMode } from './support/fake-socket-mode.js';

// golive served over HTTP does not load undici, which only Bolt's Socket Mode client uses; over
// Socket Mode the client gets the real undici and connects. In this file's own process (vitest runs
// each file in its own), before anything else loads Bolt.

const require = createRequire(import.meta.url);
/** Whether any of undici's own modules (not its stand-in) is loaded in this process. */
const undiciLoaded = () => Object.keys(require.cache).some((path) => /[/\\]node_modules[/\\]undici[/\\]lib[/\\]/.test(path));

let fake: FakeSlack;
let socket: FakeSocketMode;

beforeAll(async () => {
  fake = await startFakeSlack();
  socket = await startFakeSocketMode();
  fake.setSocketModeUrl(socket.url);
});

afterAll(async () => {
  await socket.close();
  await fake.close();
});

it('Bolt loads without undici, and Socket Mode, once used, connects with the real one', async () => {
  expect(undiciLoaded()).toBe(false);
  deferUndici();
  const { SocketModeReceiver, App, LogLevel } = await import('@slack/bolt');
  expect(typeof SocketModeReceiver).toBe('function');
  expect(undiciLoaded()).toBe(false);

  const clientOptions = { slackApiUrl: fake.url, logLevel: LogLevel.ERROR };
  const receiver = new SocketModeReceiver({ appToken: 'xapp-1-A0GOLIVE-1234-defer', logLevel: LogLevel.ERROR, installerOptions: { clientOptions } });
  const app = new App({ token: 'xoxb-defer-test', receiver, socketMode: true, clientOptions, logLevel: LogLevel.ERROR });
  await app.start();
  try {
    expect(socket.open()).toHaveLength(1);
    expect(undiciLoaded()).toBe(true);
  } finally {
    await app.stop();
  }
});
