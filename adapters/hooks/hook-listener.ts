import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { GoliveApp } from '../../src/app/app.js';
import type { Command } from '../../src/app/language/commands.js';
import type { Reply } from '../../src/app/request.js';
import type { Span, View } from '../../src/views/elements.js';
import { quarantineMessage } from '../../src/app/context.js';
import { errorView, refusalView } from '../../src/views/messages.js';
import { evaluate } from '../../src/domain/readiness.js';
import { checkHookSignature } from './signature.js';
import { readBody } from './body.js';
import { SwitchHookBody, switchCommand } from './switch-hook.js';
import { FactsHookBody, factsCommand } from './facts-hook.js';
import type { PersonId } from '../../src/domain/person-id.js';

export interface HookDeps {
  app: GoliveApp;
  /** GOLIVE_HOOK_SECRET: without it no hook listener is mounted at all. */
  secret: string;
  /** Called after an accepted call, so its alerts go out now. */
  kickOutbox: () => void;
  log: (message: string) => void;
}

interface Route {
  schema: z.ZodType<{ release: string }>;
  toCommand(body: never): { command: Command; text: string; actor: PersonId };
}

const ROUTES: Record<string, Route> = {
  '/hooks/switch': { schema: SwitchHookBody, toCommand: switchCommand },
  '/hooks/facts': { schema: FactsHookBody, toCommand: factsCommand },
};

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const fail = (res: ServerResponse, status: number, error: string, headers?: Record<string, string>) => send(res, status, { ok: false, error }, headers);

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

// What the app's answers are titled, taken from the views themselves so a renamed title cannot drift.
const NOT_DONE = errorView('-').title;
const NOT_ALLOWED = refusalView('-').title;
const ALREADY_RECORDED = 'Already recorded';

const spanText = (span: Span): string => (span.type === 'text' ? span.text : span.type === 'user' ? `@${span.id}` : (span.label ?? span.url));

/** The words of a reply, for the caller: hooks answer JSON, not chat blocks. */
function plainText(view: View): string {
  return view.blocks
    .map((block) => ('content' in block && Array.isArray(block.content) ? (block.content as Span[]).map(spanText).join('') : 'text' in block ? String(block.text) : ''))
    .filter((line) => line !== '')
    .join(' ');
}

/**
 * POST /hooks/switch and /hooks/facts. The order of the checks is the contract: method, size,
 * signature and time, JSON, fields, release; only then is the app called, so a refused call
 * changes nothing and costs no store write.
 */
export function createHookListener(deps: HookDeps): RequestListener {
  return (req, res) => {
    void handle(deps, req, res).catch((error: unknown) => {
      deps.log(`hook ${req.url ?? ''} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) fail(res, 500, 'Something went wrong and nothing was recorded; try again.');
      else res.end();
    });
  };
}

async function handle(deps: HookDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (!route) {
    req.resume();
    return fail(res, 404, 'Not found: the hooks are POST /hooks/switch and POST /hooks/facts.');
  }
  if (req.method !== 'POST') {
    req.resume();
    return fail(res, 405, `${path} takes POST only.`, { allow: 'POST' });
  }
  const read = await readBody(req);
  if (!read.ok) return fail(res, 413, 'The body is larger than 64 KiB.', { connection: 'close' });
  const { store, clock } = deps.app.deps;
  const signed = checkHookSignature(deps.secret, header(req, 'x-golive-timestamp'), header(req, 'x-golive-signature'), read.body, clock.now());
  if (!signed.ok) return fail(res, 401, `Not signed correctly: ${signed.reason}.`);

  let json: unknown;
  try {
    json = JSON.parse(read.body.toString('utf8'));
  } catch {
    return fail(res, 400, 'body: is not JSON.');
  }
  const parsed = route.schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(res, 400, `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}.`);
  }
  const body = parsed.data;
  const stored = await store.get(body.release);
  if (!stored) return fail(res, 404, `release: there is no release "${body.release}".`);
  const quarantine = await store.quarantine(body.release);
  if (quarantine) return fail(res, 409, quarantineMessage(stored.release.name, body.release, quarantine));

  const { command, text, actor } = route.toCommand(body as never);
  // The signature names this exact call: kept as the audit entry's request id, a replayed call
  // (captured and sent again within the 5 minutes) finds it in the record and changes nothing.
  const requestId = `hook:${header(req, 'x-golive-signature')!.slice('sha256='.length)}`;
  const replies = await deps.app.execute({ actor: { id: actor, platform: 'hook' }, command, release: body.release, text, requestId, replay: true });
  const view = replies.find((r): r is Extract<Reply, { kind: 'view' }> => r.kind === 'view')?.view;
  const said = view ? plainText(view) : '';
  // The app answers with a view; its title says whether the change was made, refused or not done.
  const words = said.replace(/^Not (done|allowed): /, '');
  // The store could not write: the caller should retry, as it would after any 5xx.
  if (view?.title === NOT_DONE && /^(Nothing was saved|Something went wrong)/.test(words)) return fail(res, 503, words);
  if (!view || view.title === NOT_DONE) return fail(res, 400, words || 'Nothing was recorded.');
  if (view.title === NOT_ALLOWED) return fail(res, 403, words);
  const duplicate = view.title === ALREADY_RECORDED;
  if (!duplicate) deps.kickOutbox();
  const release = (await store.get(body.release))?.release;
  if (!release) return fail(res, 404, `release: there is no release "${body.release}".`);
  send(res, 200, {
    ok: true,
    recorded: duplicate ? 'Already recorded: this exact call (same signature) was recorded before; nothing changed.' : said,
    verdict: evaluate(release, clock.now()).verdict,
    ...(duplicate && { duplicate: true }),
  });
}
