import { createHmac, randomBytes } from 'node:crypto';
import { type ChangeFeed, SharedCache } from '../../cache/change-feed.js';
import type { Db, DbOrTrx } from '../../db/database.js';
import type { SessionSubject } from '../../db/schema.js';
import { findLiveSession, insertSession, revokeAllFor, revokeSession } from './repo.js';

export interface Session {
  id: number;
  subjectType: SessionSubject;
  subjectId: number;
  csrfToken: string;
}

interface CachedSession extends Session {
  expiresAtMs: number;
}

/** How long a node trusts a session it has read: revocations reach it sooner, through the change feed. */
const SESSION_CACHE = { maxEntries: 20_000, ttlMs: 60_000 };

/**
 * Opaque bearer tokens: 32 random bytes handed to the client, only their HMAC stored, so a leaked
 * sessions table opens no account.
 */
export class SessionService {
  private readonly cache: SharedCache<string, CachedSession>;

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    private readonly ttlHours: number,
    private readonly changes: ChangeFeed,
  ) {
    // Every request resolves its session; the row is remembered by token hash and forgotten on every
    // node when the session, or all of its account's sessions, end.
    this.cache = new SharedCache(changes, SESSION_CACHE);
    this.cache.forgetAllOn('session', (id) => (s) => s.id === Number(id));
    this.cache.forgetAllOn('sessions-of', (subject) => (s) => `${s.subjectType}:${s.subjectId}` === subject);
  }

  private hash(token: string): string {
    return createHmac('sha256', this.key).update(token).digest('base64url');
  }

  async create(
    db: DbOrTrx,
    subjectType: SessionSubject,
    subjectId: number,
    meta: { ip?: string; userAgent?: string },
  ): Promise<{ token: string; csrfToken: string; expiresAt: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(18).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.ttlHours * 3600_000).toISOString();
    await insertSession(db, {
      token_hash: this.hash(token),
      subject_type: subjectType,
      subject_id: subjectId,
      csrf_token: csrfToken,
      ip: meta.ip ?? null,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
      created_at: now.toISOString(),
      expires_at: expiresAt,
    });
    return { token, csrfToken, expiresAt };
  }

  async resolve(token: string): Promise<Session | null> {
    if (token.length < 20 || token.length > 100) return null;
    const hash = this.hash(token);
    const session = await this.cache.read(
      hash,
      async () => {
        const row = await findLiveSession(this.db, hash, new Date().toISOString());
        if (!row) return null;
        return {
          id: row.id,
          subjectType: row.subject_type,
          subjectId: row.subject_id,
          csrfToken: row.csrf_token,
          expiresAtMs: Date.parse(row.expires_at),
        };
      },
      (s) => s.expiresAtMs > Date.now(),
    );
    return session;
  }

  async revoke(sessionId: number) {
    await revokeSession(this.db, sessionId, new Date().toISOString());
    await this.changes.publish(this.db, 'session', sessionId);
  }

  /** Ends every session of an account (after a password change), except the one that made the change. */
  async revokeAll(db: DbOrTrx, subjectType: SessionSubject, subjectId: number, exceptSessionId?: number) {
    await revokeAllFor(db, subjectType, subjectId, new Date().toISOString(), exceptSessionId);
    // The kept session is forgotten too; it is read again on its next request.
    await this.changes.publish(db, 'sessions-of', `${subjectType}:${subjectId}`);
  }
}
