import { userInfo } from 'node:os';
import { readConfig, ConfigError } from './config.js';
import { GoliveApp } from './app/app.js';
import { rehearsalClock, systemClock } from './app/clock.js';
import { noGroups } from './app/context.js';
import { StoreError } from './app/store-port.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { runConsole } from '../adapters/console/console-chat.js';

// The composition root: configuration, store, app, and the adapter that fits the configuration.
async function main(): Promise<number> {
  const config = readConfig(process.env);
  const store = await openLowdbStore(config.GOLIVE_DATA_DIR, (message) => console.error(message));
  const clock = config.GOLIVE_CLOCK_START ? rehearsalClock(new Date(config.GOLIVE_CLOCK_START)) : systemClock;
  const app = new GoliveApp({ store, clock, directory: noGroups });
  const user = config.GOLIVE_CONSOLE_USER ?? consoleUser();
  const status = await runConsole({ app, input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY), user, channel: config.GOLIVE_CONSOLE_CHANNEL });
  await store.close();
  return status;
}

function consoleUser(): string {
  const name = userInfo().username.replace(/[^A-Za-z0-9._-]/g, '');
  return /^[A-Za-z0-9]/.test(name) ? name : 'me';
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof StoreError) console.error(`golive cannot start. ${error.message}`);
    else console.error('golive stopped on an unexpected error:', error);
    process.exitCode = 2;
  },
);
