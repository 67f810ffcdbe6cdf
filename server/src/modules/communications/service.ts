import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { CommunicationAudience, CommunicationsTable } from '../../db/schema.js';
import { invalid } from '../../errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import { columns, fromColumns, type Localized, localized, pick } from '../announcements/text.js';
import type { AuditService } from '../audit/service.js';
import type { InboxService } from '../inbox/service.js';
import {
  advance,
  audienceExists,
  findCommunication,
  findCommunicationWithAuthor,
  insertCommunication,
  listCommunications,
  recipientsPage,
} from './repo.js';

export const COMMUNICATIONS_QUEUE = 'communications.deliver';
const PAGE = 500;

export interface NewCommunication {
  audience: { type: CommunicationAudience; id: number };
  title: Localized;
  body: Localized;
}

type Row = Selectable<CommunicationsTable>;

function view(r: Row & { author_name?: string | null }) {
  return {
    id: r.id,
    audience: { type: r.audience, id: r.audience_id },
    title: fromColumns('title', r),
    body: fromColumns('body', r),
    delivered: r.delivered,
    finishedAt: r.finished_at,
    createdBy: r.created_by,
    createdByName: r.author_name ?? null,
    createdAt: r.created_at,
  };
}

/**
 * Messages from the government to one citizen, to the complainants of a category, or to a district, as
 * Message Box items in each citizen's language. One citizen is served in the request; a whole audience by
 * a job, a page of citizens per transaction, with a cursor on the message so no page is delivered twice.
 */
export class CommunicationService {
  constructor(private readonly deps: { db: Db; jobs: JobQueue; audit: AuditService; inbox: InboxService }) {}

  registerWorkers() {
    this.deps.jobs.register<{ id: number }>(COMMUNICATIONS_QUEUE, (p) => this.deliverPage(p.id));
  }

  async send(input: NewCommunication, staffId: number) {
    const title = localized('title', input.title, true);
    const body = localized('body', input.body, false);
    const { db, audit, jobs } = this.deps;
    if (!(await audienceExists(db, input.audience.type, input.audience.id))) {
      throw invalid('validation_failed', `That ${input.audience.type} does not exist.`, {
        'audience.id': `No ${input.audience.type} with this id.`,
      });
    }
    const row = await db.transaction().execute(async (trx) => {
      const row = await insertCommunication(trx, {
        audience: input.audience.type,
        audience_id: input.audience.id,
        ...columns('title', title),
        ...columns('body', body),
        finished_at: null,
        created_by: staffId,
        created_at: new Date().toISOString(),
      });
      await audit.append(trx, {
        actor: { type: 'staff', id: staffId },
        action: 'communication.sent',
        entity: { type: 'communication', id: row.id },
        after: view(row),
      });
      await jobs.enqueue(trx, COMMUNICATIONS_QUEUE, { id: row.id });
      return row;
    });
    // One citizen: delivered before answering, so the admin sees it done.
    if (input.audience.type === 'citizen') await this.deliverPage(row.id);
    return view((await findCommunicationWithAuthor(db, row.id))!);
  }

  async list(q: { cursor?: number; limit: number }) {
    const rows = await listCommunications(this.deps.db, { before: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map(view),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  /** Delivers the next page; queues the page after it in the same transaction. */
  async deliverPage(id: number): Promise<void> {
    const { db, jobs, inbox } = this.deps;
    await db.transaction().execute(async (trx) => {
      const row = await findCommunication(trx, id);
      if (!row || row.finished_at !== null) return;
      const recipients = await recipientsPage(trx, {
        audience: row.audience,
        audienceId: row.audience_id,
        afterId: row.cursor,
        limit: PAGE,
      });
      const last = recipients.length === PAGE;
      const to = recipients.length > 0 ? recipients[recipients.length - 1]!.id : row.cursor;
      const finishedAt = last ? null : new Date().toISOString();
      // Claimed before delivering: a replayed page finds the cursor moved and stops.
      if (!(await advance(trx, id, row.cursor, to, recipients.length, finishedAt))) return;
      const titles = fromColumns('title', row);
      const bodies = fromColumns('body', row);
      for (const c of recipients) {
        await inbox.deliverMessage(trx, {
          citizenId: c.id,
          kind: 'message',
          title: pick(titles, c.language) ?? '',
          body: pick(bodies, c.language),
          data: { communicationId: id },
        });
      }
      if (last) await jobs.enqueue(trx, COMMUNICATIONS_QUEUE, { id });
    });
  }
}
