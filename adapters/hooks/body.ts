import type { IncomingMessage } from 'node:http';

/** A hook body is a small JSON object; anything bigger is refused before it is read in full. */
export const HOOK_BODY_MAX = 64 * 1024;

export type BodyRead = { ok: true; body: Buffer } | { ok: false; tooLarge: true };

/** Reads the raw body (the signature covers its bytes), stopping to keep anything past the limit. */
export function readBody(req: IncomingMessage, max = HOOK_BODY_MAX): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    if (Number.isFinite(declared) && declared > max) {
      req.resume();
      resolve({ ok: false, tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? { ok: false, tooLarge: true } : { ok: true, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}
