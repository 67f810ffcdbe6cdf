import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { assertInTransaction, type Db, dialectOf } from '../../db/database.js';
import type { ActorType, DB } from '../../db/schema.js';
import { invalid } from '../../errors.js';
import { entriesAfter, insertEntry, lastEntry, listEntries } from './repo.js';

export interface AuditEntry {
  actor: { type: ActorType; id: number | null };
  action: string;
  entity: { type: string; id: string | number };
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

export const GENESIS = '0'.repeat(64);
/** The key of the PostgreSQL advisory lock that makes appends from every node form one chain. */
const CHAIN_LOCK = 727_311_001;

/** JSON with object keys sorted at every depth, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/**
 * An entry's hash covers the previous entry's hash and every stored field, encoded as one JSON array:
 * [prev_hash, actor_type, actor_id, action, entity_type, entity_id, before, after, ip, created_at].
 * Changing, removing or inserting an entry breaks the link of the entry after it.
 */
export function entryHash(e: {
  prev_hash: string;
  actor_type: string;
  actor_id: number | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: string | null;
  after: string | null;
  ip: string | null;
  created_at: string;
}): string {
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

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBroken?: { id: number; reason: string };
}

/** The append-only, hash-chained record of who did what, when, with the state before and after. */
export class AuditService {
  constructor(private readonly db: Db) {}

  async append(trx: Transaction<DB>, entry: AuditEntry): Promise<{ id: number; hash: string }> {
    assertInTransaction(trx);
    // One chain across nodes: appends queue here until the appending transaction ends. SQLite has one writer.
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

  /** Walks the chain in id order, in batches, and names the first entry whose hash or link is wrong. */
  async verify(opts: { batchSize?: number } = {}): Promise<VerifyResult> {
    const batch = opts.batchSize ?? 2000;
    let prevHash = GENESIS;
    let afterId = 0;
    let checked = 0;
    for (;;) {
      const rows = await entriesAfter(this.db, afterId, batch);
      for (const r of rows) {
        if (r.prev_hash !== prevHash) {
          return {
            ok: false,
            checked,
            firstBroken: {
              id: r.id,
              reason: 'it does not link to the entry before it (an entry was removed or inserted)',
            },
          };
        }
        if (entryHash(r) !== r.hash) {
          return {
            ok: false,
            checked,
            firstBroken: { id: r.id, reason: 'its content was changed after it was written' },
          };
        }
        prevHash = r.hash;
        afterId = r.id;
        checked++;
      }
      if (rows.length < batch) return { ok: true, checked };
    }
  }

  async list(q: {
    entityType?: string;
    entityId?: string;
    actorType?: string;
    actorId?: number;
    cursor?: string;
    limit: number;
  }) {
    const before = q.cursor === undefined ? undefined : Number(q.cursor);
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 1)) {
      throw invalid('validation_failed', 'The cursor is not valid.', { cursor: 'Not a valid cursor.' });
    }
    const rows = await listEntries(this.db, { ...q, before, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        actor: { type: r.actor_type, id: r.actor_id },
        action: r.action,
        entity: { type: r.entity_type, id: r.entity_id },
        before: r.before === null ? null : (JSON.parse(r.before) as unknown),
        after: r.after === null ? null : (JSON.parse(r.after) as unknown),
        ip: r.ip,
        createdAt: r.created_at,
        hash: r.hash,
      })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }
}
