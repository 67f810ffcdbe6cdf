import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/database.js';
import type { ActorType } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { AuditService } from '../audit/service.js';
import {
  findActiveByHash,
  findById,
  findByName,
  insertApiKey,
  listApiKeys,
  markRevoked,
  touchLastUsed,
} from './repo.js';

export interface ApiKeyView {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ApiClient {
  id: number;
  name: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{1,62}[A-Za-z0-9]$/;
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

const view = (r: Awaited<ReturnType<typeof listApiKeys>>[number]): ApiKeyView => ({
  id: r.id,
  name: r.name,
  prefix: r.key_prefix,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/**
 * Keys for Open311 clients: 32 random bytes shown once at creation; only their SHA-256 is stored (a key has
 * full entropy, so a slow hash adds nothing). Creating and revoking are entries in the audit chain.
 */
export class ApiKeyService {
  constructor(private readonly deps: { db: Db; audit: AuditService }) {}

  async create(
    name: string,
    by: { type: ActorType; id: number | null },
  ): Promise<{ key: string; apiKey: ApiKeyView }> {
    const clean = name.trim();
    if (!NAME.test(clean)) {
      throw invalid('validation_failed', 'Some fields are missing or invalid.', {
        name: 'Use 3 to 64 letters, digits, spaces, dots, dashes or underscores.',
      });
    }
    const key = `cp311_${randomBytes(32).toString('base64url')}`;
    return this.deps.db.transaction().execute(async (trx) => {
      if (await findByName(trx, clean)) throw conflict('name_taken', 'An API key with this name exists.');
      const row = await insertApiKey(trx, {
        name: clean,
        key_hash: hash(key),
        key_prefix: key.slice(0, 10),
        created_by: by.type === 'staff' ? by.id : null,
        created_at: new Date().toISOString(),
      });
      await this.deps.audit.append(trx, {
        actor: by,
        action: 'apikey.created',
        entity: { type: 'api_key', id: row.id },
        after: { name: row.name, prefix: row.key_prefix },
      });
      return { key, apiKey: view(row) };
    });
  }

  async list(): Promise<ApiKeyView[]> {
    return (await listApiKeys(this.deps.db)).map(view);
  }

  /** Revokes by id or name; revoking twice is a no-op that still answers the key. */
  async revoke(idOrName: number | string, by: { type: ActorType; id: number | null }): Promise<ApiKeyView> {
    return this.deps.db.transaction().execute(async (trx) => {
      const row =
        typeof idOrName === 'number' ? await findById(trx, idOrName) : await findByName(trx, idOrName.trim());
      if (!row) throw notFound('The API key');
      if (row.revoked_at) return view(row);
      const at = new Date().toISOString();
      await markRevoked(trx, row.id, at);
      await this.deps.audit.append(trx, {
        actor: by,
        action: 'apikey.revoked',
        entity: { type: 'api_key', id: row.id },
        before: { name: row.name, revokedAt: null },
        after: { name: row.name, revokedAt: at },
      });
      return view({ ...row, revoked_at: at });
    });
  }

  /** The client a key belongs to, or null for an unknown or revoked key. */
  async authenticate(key: string | undefined): Promise<ApiClient | null> {
    if (!key || key.length > 200) return null;
    const row = await findActiveByHash(this.deps.db, hash(key));
    if (!row) return null;
    // At most one write a minute per key: the figure is for admins, not an access log.
    const now = new Date();
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 60_000) {
      await touchLastUsed(this.deps.db, row.id, now.toISOString());
    }
    return { id: row.id, name: row.name };
  }
}
