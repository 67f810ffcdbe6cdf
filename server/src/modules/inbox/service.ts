import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { ComplaintStatus, DB } from '../../db/schema.js';
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

export interface ComplaintEventDelivery {
  eventId: number;
  complaintId: number;
  trackingNumber: string;
  type: string;
  toStatus: ComplaintStatus | null;
  /** The officer's reply or resolution report, shown as the body. */
  message: string | null;
  recipients: number[];
  data?: Record<string, unknown>;
}

export interface MessageDelivery {
  citizenId: number;
  /** What the item is about (`message` by default; moderation sends `warning`, `blocked`, ...). */
  kind?: string;
  title: string;
  body: string | null;
  data?: Record<string, unknown>;
}

const CURSOR = /^[1-9][0-9]{0,15}$/;
const MAX_TITLE = 300;
const MAX_BODY = 10_000;

/** The citizen's Message Box: every public step of their complaints and every message from the government. */
export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly notifier: InboxNotifier,
  ) {}

  /**
   * One item per recipient, titled in each recipient's own language; a repeated delivery of the same event
   * adds nothing (unique index on citizen and event). Returns the citizens who got a new item.
   */
  async deliverComplaintEvent(trx: Transaction<DB>, e: ComplaintEventDelivery): Promise<number[]> {
    const languages = await citizenLanguages(trx, [...new Set(e.recipients)]);
    const now = new Date().toISOString();
    const delivered = await insertItems(
      trx,
      languages.map((c) => ({
        citizen_id: c.id,
        kind: e.type,
        complaint_id: e.complaintId,
        event_id: e.eventId,
        title: eventTitle(e, c.language, e.trackingNumber),
        body: e.message,
        data: e.data ? JSON.stringify(e.data) : null,
        created_at: now,
      })),
    );
    await this.notifier.publish(trx, delivered);
    return delivered;
  }

  /** General communication from the government to one citizen; the caller renders it in their language. */
  async deliverMessage(trx: Transaction<DB>, m: MessageDelivery): Promise<void> {
    const title = m.title.trim();
    if (!title || title.length > MAX_TITLE || (m.body?.length ?? 0) > MAX_BODY) {
      throw invalid('validation_failed', 'The message needs a title and must not be too long.', {
        ...(!title || title.length > MAX_TITLE ? { title: `1 to ${MAX_TITLE} characters.` } : {}),
        ...((m.body?.length ?? 0) > MAX_BODY ? { body: `At most ${MAX_BODY} characters.` } : {}),
      });
    }
    const delivered = await insertItems(trx, [
      {
        citizen_id: m.citizenId,
        kind: m.kind ?? 'message',
        complaint_id: null,
        event_id: null,
        title,
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
    if (q.cursor !== undefined && !CURSOR.test(q.cursor)) {
      throw invalid('validation_failed', 'The cursor is not valid.', { cursor: 'Not a valid cursor.' });
    }
    const before = q.cursor === undefined ? undefined : Number(q.cursor);
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

  /** Only the citizen's own items are marked; other ids are ignored. */
  async markRead(citizenId: number, ids: number[] | 'all'): Promise<{ unread: number }> {
    await markRead(this.db, citizenId, ids, new Date().toISOString());
    return { unread: await countUnread(this.db, citizenId) };
  }

  /** What a live connection shows: the unread count and the newest item's id. */
  async summary(citizenId: number): Promise<{ unread: number; latestId: number }> {
    const [unread, latestId] = await Promise.all([
      countUnread(this.db, citizenId),
      latestItemId(this.db, citizenId),
    ]);
    return { unread, latestId };
  }

  /** Calls onItem when items may have arrived for the citizen (committed elsewhere, on any node). */
  subscribe(citizenId: number, onItem: () => void): () => void {
    return this.notifier.subscribe(citizenId, onItem);
  }

  listenerCount(citizenId: number): number {
    return this.notifier.listenerCount(citizenId);
  }

  close(): Promise<void> {
    return this.notifier.close();
  }
}
