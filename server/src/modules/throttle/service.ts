import type { Db } from '../../db/database.js';
import { rateLimited } from '../../errors.js';
import { blockUntil, clearThrottle, countEvent, findThrottle } from './repo.js';

export interface BackoffRule {
  /** Failures allowed in the window before the key is held back. */
  freeFailures: number;
  windowSeconds: number;
  /** First hold-back; it doubles with each further failure up to maxBlockSeconds. */
  baseBlockSeconds: number;
  maxBlockSeconds: number;
}

/**
 * Throttles kept in the database, so they hold across every node of the scaled-out shape without
 * another moving part. Used for failed logins (per account and per IP) and code requests.
 */
export class ThrottleService {
  constructor(private readonly db: Db) {}

  /** Throws 429 while the key is held back. */
  async assertNotBlocked(key: string, message: string): Promise<void> {
    const row = await findThrottle(this.db, key);
    const now = Date.now();
    if (row?.blocked_until && Date.parse(row.blocked_until) > now) {
      throw rateLimited('too_many_attempts', message, (Date.parse(row.blocked_until) - now) / 1000);
    }
  }

  /** Records a failure and, past the free allowance, holds the key back for a growing time. */
  async recordFailure(key: string, rule: BackoffRule): Promise<void> {
    const now = new Date();
    const windowStart = new Date(now.getTime() - rule.windowSeconds * 1000).toISOString();
    const { count } = await countEvent(this.db, key, now.toISOString(), windowStart);
    const over = count - rule.freeFailures;
    if (over >= 0) {
      const seconds = Math.min(rule.baseBlockSeconds * 2 ** over, rule.maxBlockSeconds);
      await blockUntil(this.db, key, new Date(now.getTime() + seconds * 1000).toISOString());
    }
  }

  async reset(key: string): Promise<void> {
    await clearThrottle(this.db, key);
  }

  /** Counts an event against a hard cap per window; throws 429 once the cap is passed. */
  async consume(key: string, limit: number, windowSeconds: number, message: string): Promise<void> {
    const now = new Date();
    const windowStart = new Date(now.getTime() - windowSeconds * 1000).toISOString();
    const row = await countEvent(this.db, key, now.toISOString(), windowStart);
    if (row.count > limit) {
      const retry = Date.parse(row.window_start) + windowSeconds * 1000 - now.getTime();
      throw rateLimited('rate_limited', message, Math.max(1, retry / 1000));
    }
  }
}
