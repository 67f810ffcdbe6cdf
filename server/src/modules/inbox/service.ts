import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { ComplaintStatus, DB, Language } from '../../db/schema.js';
import { invalid } from '../../errors.js';
import { eventTitle } from './messages.js';
import type { InboxNotifier } from './notifier.js';
import { citizenLanguages, countUnread, insertItems, latestItemId, listItems, markRead } from './repo.js';

export interface InboxItemView {
  id: number;
  kind: string;
  complaintId: number | null;
  trackingNumber: string | null;
  title: string;
  body: string | null;
  createdAt: string;
  readAt: string | null;
}

/** Event types whose Message Box title depends on the status they moved to. */
const TITLE_BY_STATUS: Partial<Record<ComplaintStatus, string>> = {
  in_progress: 'in_progress',
  resolved: 'resolved',
  reopened: 'reopened',
  closed: 'closed',
  rejected: 'rejected',
};

/** The citizen's Message Box: every public step of their complaints and every message from the government. */
export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly notifier: InboxNotifier,
  ) {}

  async deliverComplaintEvent(
    trx: Transaction<DB>,
    e: {
      eventId: number;
      complaintId: number;
      trackingNumber: string;
      type: string;
      toStatus: ComplaintStatus | null;
      message: string | null;
      recipients: number[];
      data?: Record<string, unknown>;
    },
  ): Promise<number[]> {
    const titleType =
      e.type === 'forwarded' || e.type === 'reply' ? e.type : (TITLE_BY_STATUS[e.toStatus!] ?? e.type);
    const languages = await citizenLanguages(trx, [...new Set(e.recipients)]);
    const now = new Date().toISOString();
    const delivered = await insertItems(
      trx,
      languages.map((c) => ({
        citizen_id: c.id,
        kind: e.type,
        complaint_id: e.complaintId,
        event_id: e.eventId,
        title: eventTitle(titleType, c.language as Language, e.trackingNumber),
        body: e.message,
        data: e.data ? JSON.stringify(e.data) : null,
        created_at: now,
      })),
    );
    await this.notifier.publish(trx, delivered);
    return delivered;
  }

  async deliverMessage(
    trx: Transaction<DB>,
    m: {
      citizenId: number;
      kind?: string;
      title: string;
      body: string | null;
      data?: Record<string, unknown>;
    },
  ): Promise<void> {
    const delivered = await insertItems(trx, [
      {
        citizen_id: m.citizenId,
        kind: m.kind ?? 'message',
        complaint_id: null,
        event_id: null,
        title: m.title,
        body: m.body,
        data: m.data ? JSON.stringify(m.data) : null,
        created_at: new Date().toISOString(),
      },
    ]);
    await this.notifier.publish(trx, delivered);
  }

  async list(
    citizenId: number,
    q: { cursor?: string; limit: number; unreadOnly?: boolean },
  ): Promise<{ unread: number; items: InboxItemView[]; nextCursor: string | null }> {
    const before = q.cursor === undefined ? undefined : Number(q.cursor);
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 1)) {
      throw invalid('validation_failed', 'The cursor is not valid.', { cursor: 'Not a valid cursor.' });
    }
    const [rows, unread] = await Promise.all([
      listItems(this.db, citizenId, { before, limit: q.limit + 1, unreadOnly: q.unreadOnly }),
      countUnread(this.db, citizenId),
    ]);
    const page = rows.slice(0, q.limit);
    return {
      unread,
      items: page.map((r) => ({
        id: r.id,
        kind: r.kind,
        complaintId: r.complaint_id,
        trackingNumber: r.tracking_number,
        title: r.title,
        body: r.body,
        createdAt: r.created_at,
        readAt: r.read_at,
      })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  async markRead(citizenId: number, ids: number[] | 'all'): Promise<{ unread: number }> {
    await markRead(this.db, citizenId, ids, new Date().toISOString());
    return { unread: await countUnread(this.db, citizenId) };
  }

  async summary(citizenId: number): Promise<{ unread: number; latestId: number }> {
    const [unread, latestId] = await Promise.all([
      countUnread(this.db, citizenId),
      latestItemId(this.db, citizenId),
    ]);
    return { unread, latestId };
  }

  subscribe(citizenId: number, onItem: () => void): () => void {
    return this.notifier.subscribe(citizenId, onItem);
  }

  close(): Promise<void> {
    return this.notifier.close();
  }
}
