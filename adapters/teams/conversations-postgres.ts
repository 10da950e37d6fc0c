import type { z } from 'zod';
import { StoreError } from '../../src/app/store-port.js';
import { briefly, type Db, type Queryable } from '../../store/postgres/db.js';
import { applyMigrations, type SchemaOptions } from '../../store/postgres/migrate.js';
import { problems } from '../../store/postgres/commit-check.js';
import { BookKeeper, ConversationBook, isEmpty, type Changed } from './conversation-book.js';
import { ConversationRef, TeamsPerson, type TeamsConversations } from './conversations.js';

// The Teams references in PostgreSQL (teams_conversations, teams_people), shared by every golive on
// the database: a channel golive was added to through one golive can be posted to by another.
//
// Each golive keeps a copy in memory and, before every read, asks for the rows numbered after the
// newest it has (one indexed read; usually none). Writes take an advisory lock and number their
// rows from the teams_changes sequence under it, so the numbers follow the order writes commit in
// and no row is ever numbered below one a reader has already seen. A conversation golive was removed
// from keeps its row, without a reference, so every golive learns it is gone.

type Row = { kind: 'conversation' | 'person'; id: string; value: unknown; changed: string };

const CHANGED_SINCE = `SELECT 'conversation' AS kind, id, reference AS value, changed::text AS changed FROM teams_conversations WHERE changed > $1
  UNION ALL SELECT 'person' AS kind, id, person AS value, changed::text AS changed FROM teams_people WHERE changed > $1
  ORDER BY changed`;

/** One writer at a time across every golive on the schema: rows are numbered in the order they commit. */
const LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('golive.teams.' || current_schema(), 0))`;

/** Opens the references on `db` (its schema brought up to date first, unless schemaChecked); a row golive cannot read stops it with a StoreError naming the row. */
export async function openPostgresConversations(db: Db, now: () => Date, options: { log?: (message: string) => void } & SchemaOptions = {}): Promise<TeamsConversations> {
  if (!options.schemaChecked) await applyMigrations(db, { ...(options.log && { log: options.log }) });
  const conversations = new PostgresConversations(db, now);
  await conversations.current();
  return conversations;
}

class PostgresConversations extends BookKeeper {
  private book = new ConversationBook();
  private seen = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** The catch-up queued and not yet started, which a reader asking now joins. */
  private pending: Promise<ConversationBook> | undefined;

  constructor(
    private readonly db: Db,
    now: () => Date,
  ) {
    super(now);
  }

  /**
   * The references as stored now (public: opening reads them once, so a bad row stops start-up).
   * Callers that ask while a catch-up is waiting its turn share it: it starts after each of them
   * asked, so each still sees every change committed before it asked, and a burst of Teams requests
   * (each reads the book three times) makes one query, not one each, all in one queue.
   */
  protected latest(): ConversationBook {
    return this.book;
  }

  current(): Promise<ConversationBook> {
    this.pending ??= this.serial(async () => {
      this.pending = undefined;
      await this.catchUp(briefly(this.db));
      return this.book;
    });
    return this.pending;
  }

  /** Most activities change nothing: that is seen on the fresh copy, without a lock or a write. */
  protected async change(apply: (book: ConversationBook) => Changed): Promise<void> {
    if (isEmpty(apply((await this.current()).copy()))) return;
    return this.serial(async () => {
      await this.catchUp(briefly(this.db));
      if (isEmpty(apply(this.book.copy()))) return;
      await this.db
        .transaction(async (tx) => {
          await tx.query(LOCK);
          await this.catchUp(tx.query.bind(tx));
          const next = this.book.copy();
          await write(tx, next, apply(next));
        })
        .catch((error: unknown) => {
          if (error instanceof StoreError) throw error;
          throw new StoreError(`${this.db.label}: the Teams conversation references were not saved: ${error instanceof Error ? error.message : String(error)}`);
        });
      await this.catchUp(briefly(this.db));
    });
  }

  /** Takes in the rows written since the newest this copy has; a row that does not read stops it there, naming the row. */
  private async catchUp(query: Queryable['query']): Promise<void> {
    let rows: Row[];
    try {
      rows = (await query<Row>(CHANGED_SINCE, [String(this.seen)])).rows;
    } catch (error) {
      throw new StoreError(`${this.db.label}: cannot read the Teams conversation references: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (rows.length === 0) return;
    const next = this.book.copy();
    for (const row of rows) {
      if (row.kind === 'conversation') {
        if (row.value === null) next.conversations.delete(row.id);
        else next.conversations.set(row.id, valid(ConversationRef, row, 'teams_conversations', 'a Teams conversation reference', this.db.label));
      } else {
        next.people.set(row.id, valid(TeamsPerson, row, 'teams_people', 'a Teams person', this.db.label));
      }
    }
    this.book = next;
    this.seen = Number(rows.at(-1)!.changed);
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** Writes what a change changed, each row numbered from the sequence (under the caller's lock). */
async function write(tx: Queryable, book: ConversationBook, changed: Changed): Promise<void> {
  for (const id of changed.conversations) {
    const reference = book.conversations.get(id);
    await tx.query(
      `INSERT INTO teams_conversations (id, reference, changed) VALUES ($1, $2::jsonb, nextval('teams_changes'))
        ON CONFLICT (id) DO UPDATE SET reference = EXCLUDED.reference, changed = EXCLUDED.changed`,
      [id, reference ? JSON.stringify(reference) : null],
    );
  }
  for (const id of changed.people) {
    await tx.query(
      `INSERT INTO teams_people (id, person, changed) VALUES ($1, $2::jsonb, nextval('teams_changes'))
        ON CONFLICT (id) DO UPDATE SET person = EXCLUDED.person, changed = EXCLUDED.changed`,
      [id, JSON.stringify(book.people.get(id))],
    );
  }
}

function valid<T extends { id: string }>(schema: z.ZodType<T>, row: Row, table: string, what: string, label: string): T {
  const parsed = schema.safeParse(row.value);
  if (!parsed.success) throw new StoreError(`${label}: the ${table} row "${row.id}" is not ${what} (${problems(parsed.error)}); fix or delete that row.`);
  if (parsed.data.id !== row.id) throw new StoreError(`${label}: the ${table} row "${row.id}" holds "${parsed.data.id}"; fix or delete that row.`);
  return parsed.data;
}

/** Copies references (teams-conversations.json) into tables that hold none yet, for `migrate`: all in one transaction, or none. */
export async function importConversations(db: Db, book: ConversationBook): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(LOCK);
    const held = Number((await tx.query<{ n: string }>('SELECT ((SELECT count(*) FROM teams_conversations) + (SELECT count(*) FROM teams_people))::text AS n')).rows[0]?.n ?? 0);
    if (held > 0) throw new StoreError(`${db.label} already holds Teams conversation references (${held}): teams-conversations.json is not copied over them`);
    await write(tx, book, { conversations: new Set(book.conversations.keys()), people: new Set(book.people.keys()) });
  });
}
