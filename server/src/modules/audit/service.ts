import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { assertInTransaction, type Db, type DbOrTrx, dialectOf } from '../../db/database.js';
import type { ActorType, DB } from '../../db/schema.js';
import { invalid } from '../../errors.js';
import { type AuditRow, entriesAfter, insertEntry, lastEntry, listEntries } from './repo.js';

export interface AuditEntry {
  actor: { type: ActorType; id: number | null };
  action: string;
  entity: { type: string; id: string | number };
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

export interface AuditFilters {
  entityType?: string;
  entityId?: string;
  actorType?: ActorType;
  actorId?: number;
  /** The id of the last entry of the previous page, as given in nextCursor. */
  cursor?: string;
  limit: number;
}

export interface AuditEntryView {
  id: number;
  actor: { type: ActorType; id: number | null };
  action: string;
  entity: { type: string; id: string };
  before: unknown;
  after: unknown;
  ip: string | null;
  createdAt: string;
  prevHash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBroken?: { id: number; reason: string };
}

export const GENESIS = '0'.repeat(64);
/** The key of the PostgreSQL advisory lock that makes appends from every node form one chain. */
const CHAIN_LOCK = 727_311_001;
const CURSOR = /^[1-9][0-9]{0,15}$/;

export const BROKEN_LINK =
  'it does not link to the entry before it: an entry before it was deleted or inserted, or its prev_hash was changed';
export const ALTERED = 'its content was changed after it was written: the stored hash does not match';

/**
 * JSON with object keys sorted at every depth, so the same value always hashes the same. Values go through
 * toJSON first (a Date becomes its ISO string, as JSON.stringify would write it).
 */
export function canonicalJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const sort = (v: unknown): unknown => {
    if (v && typeof (v as { toJSON?: unknown }).toJSON === 'function')
      v = (v as { toJSON(): unknown }).toJSON();
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .filter((k) => o[k] !== undefined)
          .sort()
          .map((k) => [k, sort(o[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/**
 * sha256, in hex, of one JSON array of the previous entry's hash and every stored field:
 *   [prev_hash, actor_type, actor_id, action, entity_type, entity_id, before, after, ip, created_at]
 * JSON quotes and escapes each string, so no two different entries encode alike (plain concatenation
 * would let "ab"+"c" pass for "a"+"bc"). before/after are the canonical JSON text exactly as stored, and
 * created_at is normalised to ISO-8601 UTC with milliseconds so both engines hash the same instant alike.
 * Changing an entry breaks its own hash; removing or inserting one breaks the link of the entry after it.
 */
export function entryHash(e: Omit<AuditRow, 'id' | 'hash'>): string {
  const fields = [
    e.prev_hash,
    e.actor_type,
    e.actor_id,
    e.action,
    e.entity_type,
    e.entity_id,
    e.before,
    e.after,
    e.ip,
    new Date(e.created_at).toISOString(),
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** Stored text is shown as JSON; text that no longer parses (tampered) is shown as it is, not a 500. */
function readJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The append-only, hash-chained record of who did what, when, with the state before and after. */
export class AuditService {
  constructor(private readonly db: Db) {}

  /**
   * Appends in the caller's transaction, so the entry exists exactly when the change it records does. On
   * PostgreSQL the advisory lock queues concurrent appenders until each one's transaction ends, so every
   * entry links to the one committed before it; SQLite has one writer at a time.
   */
  async append(trx: Transaction<DB>, entry: AuditEntry): Promise<{ id: number; hash: string }> {
    assertInTransaction(trx);
    if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
    const prev = await lastEntry(trx);
    const row = {
      prev_hash: prev?.hash ?? GENESIS,
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      action: entry.action,
      entity_type: entry.entity.type,
      entity_id: String(entry.entity.id),
      before: canonicalJson(entry.before),
      after: canonicalJson(entry.after),
      ip: entry.ip ?? null,
      created_at: new Date().toISOString(),
    };
    return insertEntry(trx, { ...row, hash: entryHash(row) });
  }

  /**
   * Walks the chain in id order, a batch at a time (flat memory on millions of entries), recomputing each
   * hash and checking each link; names the first entry that fails. A deleted last entry leaves no trace in
   * the chain itself: compare `checked` with an earlier run's count to catch that.
   */
  async verify(opts: { batchSize?: number } = {}): Promise<VerifyResult> {
    const batch = Math.max(1, opts.batchSize ?? 2000);
    let prevHash = GENESIS;
    let afterId = 0;
    let checked = 0;
    for (;;) {
      const rows = await entriesAfter(this.db, afterId, batch);
      for (const r of rows) {
        if (r.prev_hash !== prevHash)
          return { ok: false, checked, firstBroken: { id: r.id, reason: BROKEN_LINK } };
        if (entryHash(r) !== r.hash)
          return { ok: false, checked, firstBroken: { id: r.id, reason: ALTERED } };
        prevHash = r.hash;
        afterId = r.id;
        checked++;
      }
      if (rows.length < batch) return { ok: true, checked };
    }
  }

  /** Newest first, filtered by entity or actor; `db` may be a transaction or a read replica. */
  async list(
    filters: AuditFilters,
    db: DbOrTrx = this.db,
  ): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    if (filters.cursor !== undefined && !CURSOR.test(filters.cursor)) {
      throw invalid('validation_failed', 'The cursor is not valid.', { cursor: 'Not a valid cursor.' });
    }
    // The index is (entity_type, entity_id): an id alone would scan the whole log.
    if (filters.entityId !== undefined && filters.entityType === undefined) {
      throw invalid('validation_failed', 'Filter by entity type too.', {
        entityType: 'Required with entityId.',
      });
    }
    const rows = await listEntries(db, {
      ...filters,
      before: filters.cursor === undefined ? undefined : Number(filters.cursor),
      limit: filters.limit + 1,
    });
    const page = rows.slice(0, filters.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        actor: { type: r.actor_type, id: r.actor_id },
        action: r.action,
        entity: { type: r.entity_type, id: r.entity_id },
        before: readJson(r.before),
        after: readJson(r.after),
        ip: r.ip,
        createdAt: r.created_at,
        prevHash: r.prev_hash,
        hash: r.hash,
      })),
      nextCursor: rows.length > filters.limit ? String(page[page.length - 1]!.id) : null,
    };
  }
}
