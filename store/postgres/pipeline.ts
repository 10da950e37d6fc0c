import type pg from 'pg';
import { driver } from './pg-driver.js';

// One connection for the short statements every request makes (a receipt, a done mark, the reads
// that ask whether something changed), in pg's pipeline mode: statements are written in the turn of
// the event loop they are asked for in, together, without waiting for the answers of those before
// them, and each still is its own transaction with its own answer or error. Sixteen requests at
// once then wake the server a few times, not sixteen, and golive reads their answers in a few
// reads: measured on 2 cores, a statement cost a third of the CPU it cost through the pool, golive's
// and the server's alike.
//
// Only short statements belong here: the server answers them in order, so a slow one delays the
// rest. A connection that fails is dropped (the statements on it fail with it) and the next
// statement opens a new one.

export interface PipelineOptions {
  connectionString: string;
  /** `-c` settings for the connection (search_path, synchronous_commit). */
  settings: string[];
  /** Told when the connection fails. */
  log: (message: string) => void;
  label: string;
}

type Answer = pg.QueryResult<Record<string, unknown>>;

export class Pipeline {
  private client: Promise<pg.Client> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Asked for and not written yet. */
  private readonly asked: Array<{ config: pg.QueryConfig; resolve: (answer: Answer) => void; reject: (error: unknown) => void }> = [];
  private closed = false;

  constructor(private readonly options: PipelineOptions) {}

  /** Sends `config` behind whatever is on its way; resolves or rejects with its own answer. */
  query(config: pg.QueryConfig): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error(`${this.options.label}: the database connection is closed`));
    const answer = new Promise<Answer>((resolve, reject) => {
      this.asked.push({ config, resolve, reject });
      if (this.asked.length === 1) setImmediate(() => void this.send());
    });
    this.inFlight.add(answer);
    const settled = () => void this.inFlight.delete(answer);
    answer.then(settled, settled);
    return answer;
  }

  /**
   * Writes the statements asked for since the last write, in the order asked, in one write to the
   * socket, once the event loop has taken in what arrived (setImmediate), so the statements of the
   * requests read together go together. pg wrote each statement on its own, a system call and a
   * wake-up of the server each: under sixteen requests at once the largest part of golive's CPU a
   * request after the status itself (a profile's writev), and a source of its slowest answers.
   */
  private async send(): Promise<void> {
    const batch = this.asked.splice(0);
    if (batch.length === 0) return;
    let client: pg.Client;
    try {
      client = await this.connection();
    } catch (error) {
      for (const statement of batch) statement.reject(error);
      return;
    }
    const socket = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
    socket?.cork?.();
    try {
      for (const { config, resolve, reject } of batch) {
        // One that pg refuses at once fails alone; those after it are still sent.
        try {
          client.query(config).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      }
    } finally {
      socket?.uncork?.();
    }
  }

  /**
   * Opens the connection now, if it is not open or opening, so the first short statement does not
   * wait for it (start-up: it opens while the schema is checked). A failure is left for that
   * statement to meet.
   */
  warm(): void {
    if (!this.closed) this.connection().catch(() => undefined);
  }

  /** Ends the connection once every statement sent on it is answered. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const client = this.client;
    this.client = undefined;
    if (client) await (await client.catch(() => undefined))?.end().catch(() => undefined);
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const { connectionString, settings, log, label } = this.options;
    const client = new driver.Client({ connectionString, pipeline: true, ...(settings.length > 0 && { options: settings.map((setting) => `-c ${setting}`).join(' ') }) } as pg.ClientConfig);
    const opening = client.connect().then(() => client);
    const drop = () => {
      if (this.client === opening) this.client = undefined;
    };
    // Without a listener a dropped connection would crash the process; pg fails what was on it.
    client.on('error', (error) => {
      drop();
      log(`${label}: a database connection failed (${error.message}); the next statement opens a new one`);
    });
    client.on('end', drop);
    opening.catch(drop);
    this.client = opening;
    return opening;
  }
}
