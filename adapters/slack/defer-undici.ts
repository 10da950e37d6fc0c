import { createRequire } from 'node:module';
import { dirname } from 'node:path';

// Bolt loads its Socket Mode client whatever the receiver, and that client loads undici (110
// modules: 90-140 ms of a start on 2 cores, measured) though only Socket Mode uses it, once it
// connects. Before Bolt is loaded, undici's entry in Node's module cache is made a stand-in that
// loads the real module at its first use: golive served over HTTP never loads it; over Socket Mode
// it is loaded as the socket connects. Nothing else is changed, and where undici is not where Bolt
// would find it, or is loaded already, nothing is done.

const require = createRequire(import.meta.url);

/** Where Bolt's Socket Mode client finds undici, or undefined when it is not installed as expected. */
function undiciPath(): string | undefined {
  try {
    const socketMode = createRequire(require.resolve('@slack/bolt')).resolve('@slack/socket-mode');
    return createRequire(socketMode).resolve('undici');
  } catch {
    return undefined;
  }
}

/** Makes undici load at its first use rather than with Bolt; call before Bolt is first loaded. */
export function deferUndici(): void {
  const path = undiciPath();
  if (path === undefined || require.cache[path]) return;
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      delete require.cache[path];
      real = require(path) as object;
    }
    return real;
  };
  // Every way of looking at the module's exports looks at the real module's, loading it first.
  const exports = new Proxy(
    {},
    {
      get: (_target, key) => Reflect.get(load(), key),
      has: (_target, key) => Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_target, key) => {
        const found = Reflect.getOwnPropertyDescriptor(load(), key);
        return found && { ...found, configurable: true };
      },
    },
  );
  require.cache[path] = { id: path, filename: path, path: dirname(path), loaded: true, exports, children: [], paths: [] } as unknown as NodeJS.Module;
}
