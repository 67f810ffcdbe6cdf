import type { Transaction } from 'kysely';
import type { ChangeFeed } from '../../cache/change-feed.js';
import type { Db } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { listBlocked, lockCitizen, setSanction } from './repo.js';

/** What moderation needs from the audit log and the Message Box. */
export interface ModerationDeps {
  db: Db;
  /** A sanction changes the citizen's profile (its status), which nodes may remember. */
  changes: Pick<ChangeFeed, 'publish'>;
  audit: {
    append(
      trx: Transaction<DB>,
      entry: {
        actor: { type: 'staff'; id: number };
        action: string;
        entity: { type: string; id: number };
        before?: unknown;
        after?: unknown;
      },
    ): Promise<unknown>;
  };
  notify(
    trx: Transaction<DB>,
    citizenId: number,
    kind: 'warning' | 'blocked' | 'unblocked',
    reason: string,
  ): Promise<void>;
}

export type Sanction = 'warn' | 'block' | 'unblock';

/**
 * Admins warn a citizen who uploads illegal or irrelevant material, and block one who persists: a blocked
 * citizen keeps reading their complaints but cannot file new ones. Every step is audited and the citizen is
 * told in the Message Box.
 */
export class ModerationService {
  constructor(private readonly deps: ModerationDeps) {}

  async sanction(staffId: number, citizenId: number, action: Sanction, reason: string) {
    const text = reason.trim();
    if (text.length < 5) {
      throw invalid('validation_failed', 'Give the reason (at least 5 characters).', {
        reason: 'Give the reason.',
      });
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await lockCitizen(trx, citizenId);
      if (!before) throw notFound('The citizen');
      const now = new Date().toISOString();
      if (action === 'warn') {
        await setSanction(trx, citizenId, { warnings: before.warnings + 1, warned_at: now, updated_at: now });
      } else if (action === 'block') {
        if (before.status === 'blocked')
          throw conflict('already_blocked', 'This citizen is already blocked.');
        await setSanction(trx, citizenId, {
          status: 'blocked',
          blocked_at: now,
          blocked_reason: text,
          updated_at: now,
        });
      } else {
        if (before.status !== 'blocked') throw conflict('not_blocked', 'This citizen is not blocked.');
        await setSanction(trx, citizenId, {
          status: before.verified_at ? 'active' : 'pending',
          blocked_at: null,
          blocked_reason: null,
          updated_at: now,
        });
      }
      const after = await lockCitizen(trx, citizenId);
      await this.deps.changes.publish(trx, 'citizen', citizenId);
      await this.deps.audit.append(trx, {
        actor: { type: 'staff', id: staffId },
        action: `citizen.${action}`,
        entity: { type: 'citizen', id: citizenId },
        before: { status: before.status, warnings: before.warnings, reason: before.blocked_reason },
        after: { status: after!.status, warnings: after!.warnings, reason: text },
      });
      await this.deps.notify(
        trx,
        citizenId,
        action === 'warn' ? 'warning' : action === 'block' ? 'blocked' : 'unblocked',
        text,
      );
      return {
        id: citizenId,
        status: after!.status,
        warnings: after!.warnings,
        blockedAt: after!.blocked_at,
        blockedReason: after!.blocked_reason,
      };
    });
  }

  async blocked(q: { cursor?: number; limit: number }) {
    const rows = await listBlocked(this.deps.db, { before: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        name: r.name,
        districtId: r.district_id,
        warnings: r.warnings,
        blockedAt: r.blocked_at,
        blockedReason: r.blocked_reason,
      })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }
}
