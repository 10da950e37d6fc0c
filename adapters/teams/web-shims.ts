import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request as SdkRequest, WebResponse } from '@microsoft/agents-hosting';

// CloudAdapter.process and authorizeJWT expect express-like objects: a parsed body and headers in,
// `status().send()` and `end()` out. These wrap Node's own, so no web framework is needed.

export function sdkRequest(req: IncomingMessage, body?: Record<string, unknown>): SdkRequest {
  return { headers: req.headers, method: req.method ?? 'POST', ...(body && { body }) };
}

export class SdkResponse implements WebResponse {
  private code = 200;

  constructor(private readonly res: ServerResponse) {}

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  get writableEnded(): boolean {
    return this.res.writableEnded;
  }

  /** The status sent, once the response has ended. */
  get statusCode(): number {
    return this.res.statusCode;
  }

  status(code: number): this {
    this.code = code;
    return this;
  }

  setHeader(name: string, value: string): this {
    if (!this.res.headersSent) this.res.setHeader(name, value);
    return this;
  }

  /** Like express, sending a body ends the response (authorizeJWT never calls end after it). */
  send(body?: unknown): this {
    if (this.res.writableEnded) return this;
    if (body === undefined || body === null) return this.end();
    const json = typeof body !== 'string' && !Buffer.isBuffer(body);
    const payload = json ? JSON.stringify(body) : body;
    if (!this.res.headersSent) {
      if (json && !this.res.hasHeader('content-type')) this.res.setHeader('content-type', 'application/json');
      this.res.statusCode = this.code;
    }
    this.res.end(payload);
    return this;
  }

  end(): this {
    if (this.res.writableEnded) return this;
    if (!this.res.headersSent) this.res.statusCode = this.code;
    this.res.end();
    return this;
  }
}

/** A short plain answer for requests refused before the SDK sees them. */
export function refuse(res: ServerResponse, status: number, message: string): void {
  if (res.writableEnded) return;
  if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}
