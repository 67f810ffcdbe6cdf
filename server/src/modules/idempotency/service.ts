import { createHash } from 'node:crypto';
import type { Db, DbOrTrx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { conflict, invalid } from '../../errors.js';
import { findKey, insertKey } from './repo.js';

export interface Replay<T> {
  statusCode: number;
  body: T;
  replayed: true;
}

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/**
 * `Idempotency-Key`: the first answer to a key is stored in the same transaction as the work it describes,
 * so a retry (the offline app resending after a lost answer) gets that answer and creates nothing. Two
 * copies racing each other meet at the primary key: the loser's transaction rolls back and it replays
 * the winner's answer.
 */
export class IdempotencyService {
  constructor(private readonly db: Db) {}

  static validKey(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    if (!KEY.test(key)) {
      throw invalid(
        'invalid_idempotency_key',
        'Idempotency-Key must be 8 to 128 letters, digits or . _ : -',
        {
          'Idempotency-Key': 'Use 8 to 128 letters, digits or . _ : -',
        },
      );
    }
    return key;
  }

  static hash(request: unknown): string {
    return createHash('sha256').update(JSON.stringify(request)).digest('hex');
  }

  /** The stored answer for this key, or null; refuses a key reused for a different request. */
  async replay<T>(owner: string, key: string, requestHash: string): Promise<Replay<T> | null> {
    const row = await findKey(this.db, owner, key);
    if (!row || row.status_code === null || row.response === null) return null;
    if (row.request_hash !== requestHash) {
      throw conflict(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
      );
    }
    return { statusCode: row.status_code, body: JSON.parse(row.response) as T, replayed: true };
  }

  async record(
    trx: DbOrTrx,
    owner: string,
    key: string,
    requestHash: string,
    statusCode: number,
    body: unknown,
  ) {
    await insertKey(trx, {
      owner,
      key,
      request_hash: requestHash,
      status_code: statusCode,
      response: JSON.stringify(body),
      created_at: new Date().toISOString(),
    });
  }

  /**
   * Runs `work` (which records the key in its transaction); when a concurrent copy with the same key won
   * the race, answers with the winner's stored result instead.
   */
  async run<T>(
    owner: string,
    key: string | undefined,
    requestHash: string,
    work: () => Promise<{ statusCode: number; body: T }>,
  ): Promise<{ statusCode: number; body: T; replayed: boolean }> {
    if (key) {
      const prior = await this.replay<T>(owner, key, requestHash);
      if (prior) return prior;
    }
    try {
      return { ...(await work()), replayed: false };
    } catch (err) {
      if (key && isUniqueViolation(err)) {
        const prior = await this.replay<T>(owner, key, requestHash);
        if (prior) return prior;
      }
      throw err;
    }
  }
}
