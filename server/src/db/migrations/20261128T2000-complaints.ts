import { sql } from 'kysely';
import type { PortalMigration } from './helpers.js';

// Offices and routing, complaints with their events, media, supporters, the Message Box, idempotency keys,
// per-status counts kept current by the lifecycle, and the hash-chained audit log.
export const complaints: PortalMigration = {
  async up(db, t) {
    await t
      .id(db.schema.createTable('offices'))
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('department_id', 'bigint', (c) => c.notNull().references('departments.id'))
      .addColumn('district_id', 'bigint', (c) => c.notNull().references('districts.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_ur', 'text', (c) => c.notNull())
      .addColumn('name_ps', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('offices_department_district')
      .on('offices')
      .columns(['department_id', 'district_id'])
      .execute();

    // A rule sends a category (in one district, or in any when district_id is null) to a fixed office, or to
    // the department's office in the complaint's own district when office_id is null.
    await t
      .id(db.schema.createTable('routing_rules'))
      .addColumn('category_id', 'bigint', (c) => c.notNull().references('categories.id'))
      .addColumn('district_id', 'bigint', (c) => c.references('districts.id'))
      .addColumn('department_id', 'bigint', (c) => c.notNull().references('departments.id'))
      .addColumn('office_id', 'bigint', (c) => c.references('offices.id'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await sql`create unique index routing_rules_key on routing_rules (category_id, coalesce(district_id, 0))`.execute(
      db,
    );

    await db.schema
      .createTable('complaints')
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('tracking_number', 'text', (c) => c.notNull().unique())
      .addColumn('citizen_id', 'bigint', (c) => c.references('citizens.id'))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('category_id', 'bigint', (c) => c.notNull().references('categories.id'))
      .addColumn('department_id', 'bigint', (c) => c.notNull().references('departments.id'))
      .addColumn('office_id', 'bigint', (c) => c.references('offices.id'))
      .addColumn('district_id', 'bigint', (c) => c.notNull().references('districts.id'))
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('address', 'text')
      .addColumn('lat', t.real)
      .addColumn('lng', t.real)
      .addColumn('accuracy_m', t.real)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('support_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('media_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('due_at', t.timestamp, (c) => c.notNull())
      .addColumn('reminded_at', t.timestamp)
      .addColumn('escalated_at', t.timestamp)
      .addColumn('resolved_at', t.timestamp)
      .addColumn('closed_at', t.timestamp)
      .addColumn('close_reason', 'text')
      .addColumn('rejection_reason', 'text')
      .addColumn('merged_into_id', 'bigint', (c) => c.references('complaints.id'))
      .addColumn('satisfied', 'integer')
      .addColumn('rating', 'integer')
      .addColumn('feedback_comment', 'text')
      .addColumn('feedback_at', t.timestamp)
      .addColumn('consent_at', t.timestamp, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    // Ids are taken before the insert so the tracking number (KP-2026-000123) is written with the row.
    if (t.dialect === 'postgres') {
      await sql`create sequence complaint_ids owned by complaints.id`.execute(db);
    }
    const index = (name: string, columns: string[]) =>
      db.schema.createIndex(name).on('complaints').columns(columns).execute();
    await index('complaints_citizen', ['citizen_id', 'id']);
    await index('complaints_office', ['office_id', 'id']);
    await index('complaints_office_status', ['office_id', 'status', 'id']);
    await index('complaints_department', ['department_id', 'id']);
    await index('complaints_department_status', ['department_id', 'status', 'id']);
    await index('complaints_status_due', ['status', 'due_at']);
    await index('complaints_status', ['status', 'id']);
    await index('complaints_escalation', ['escalation_level', 'status', 'due_at']);
    await index('complaints_category_place', ['category_id', 'lat', 'lng']);
    await index('complaints_district', ['district_id', 'id']);

    // Staff search the description, address and tracking number; each engine with its own full-text index.
    if (t.dialect === 'postgres') {
      await sql`alter table complaints add column search tsvector generated always as (
        to_tsvector('simple', tracking_number || ' ' || description || ' ' || coalesce(address, ''))
      ) stored`.execute(db);
      await sql`create index complaints_search on complaints using gin (search)`.execute(db);
    } else {
      await sql`create virtual table complaints_fts using fts5(
        tracking_number, description, address, content='complaints', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
      )`.execute(db);
      await sql`create trigger complaints_fts_insert after insert on complaints begin
        insert into complaints_fts(rowid, tracking_number, description, address)
        values (new.id, new.tracking_number, new.description, new.address);
      end`.execute(db);
      await sql`create trigger complaints_fts_delete after delete on complaints begin
        insert into complaints_fts(complaints_fts, rowid, tracking_number, description, address)
        values ('delete', old.id, old.tracking_number, old.description, old.address);
      end`.execute(db);
      await sql`create trigger complaints_fts_update after update of description, address on complaints begin
        insert into complaints_fts(complaints_fts, rowid, tracking_number, description, address)
        values ('delete', old.id, old.tracking_number, old.description, old.address);
        insert into complaints_fts(rowid, tracking_number, description, address)
        values (new.id, new.tracking_number, new.description, new.address);
      end`.execute(db);
    }

    // Every change to a complaint is an event; the status on the complaint is derived from them.
    await t
      .id(db.schema.createTable('complaint_events'))
      .addColumn('complaint_id', 'bigint', (c) => c.notNull().references('complaints.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('visibility', 'text', (c) => c.notNull())
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'bigint')
      .addColumn('from_status', 'text')
      .addColumn('to_status', 'text')
      .addColumn('office_id', 'bigint', (c) => c.references('offices.id'))
      .addColumn('message', 'text')
      .addColumn('data', t.json)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('complaint_events_complaint')
      .on('complaint_events')
      .columns(['complaint_id', 'id'])
      .execute();
    await db.schema
      .createIndex('complaint_events_type_time')
      .on('complaint_events')
      .columns(['type', 'created_at'])
      .execute();

    await t
      .id(db.schema.createTable('media'))
      .addColumn('complaint_id', 'bigint', (c) => c.references('complaints.id'))
      .addColumn('event_id', 'bigint', (c) => c.references('complaint_events.id'))
      .addColumn('uploader_type', 'text', (c) => c.notNull())
      .addColumn('uploader_id', 'bigint')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('mime', 'text', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('storage_key', 'text', (c) => c.notNull().unique())
      .addColumn('thumb_key', 'text')
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .addColumn('moderation', 'text', (c) => c.notNull().defaultTo('ok'))
      .addColumn('moderated_by', 'bigint')
      .addColumn('moderated_at', t.timestamp)
      .addColumn('moderation_reason', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('media_complaint').on('media').columns(['complaint_id', 'id']).execute();
    await db.schema.createIndex('media_event').on('media').column('event_id').execute();

    await db.schema
      .createTable('complaint_supporters')
      .addColumn('complaint_id', 'bigint', (c) => c.notNull().references('complaints.id'))
      .addColumn('citizen_id', 'bigint', (c) => c.notNull().references('citizens.id'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('complaint_supporters_pk', ['complaint_id', 'citizen_id'])
      .execute();
    await db.schema
      .createIndex('complaint_supporters_citizen')
      .on('complaint_supporters')
      .column('citizen_id')
      .execute();

    // A retried request with the same key gets the first answer; `pending` marks one still running.
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('response', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['owner', 'key'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_created')
      .on('idempotency_keys')
      .column('created_at')
      .execute();

    // The Message Box: one item per citizen per public event (or general message from the government).
    await t
      .id(db.schema.createTable('inbox_items'))
      .addColumn('citizen_id', 'bigint', (c) => c.notNull().references('citizens.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('complaint_id', 'bigint', (c) => c.references('complaints.id'))
      .addColumn('event_id', 'bigint', (c) => c.references('complaint_events.id'))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text')
      .addColumn('data', t.json)
      .addColumn('read_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('inbox_items_citizen')
      .on('inbox_items')
      .columns(['citizen_id', 'id'])
      .execute();
    await sql`create unique index inbox_items_event on inbox_items (citizen_id, event_id) where event_id is not null`.execute(
      db,
    );
    await sql`create index inbox_items_unread on inbox_items (citizen_id) where read_at is null`.execute(db);

    // Counts per office and status, changed in the same transaction as the status: queues and dashboards
    // read these instead of counting a million rows. office_id 0 is the provincial triage queue.
    await db.schema
      .createTable('complaint_counts')
      .addColumn('office_id', 'bigint', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('complaint_counts_pk', ['office_id', 'department_id', 'status'])
      .execute();

    await t
      .id(db.schema.createTable('audit_log'))
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'bigint')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .addColumn('ip', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('audit_log_entity')
      .on('audit_log')
      .columns(['entity_type', 'entity_id', 'id'])
      .execute();
    await db.schema
      .createIndex('audit_log_actor')
      .on('audit_log')
      .columns(['actor_type', 'actor_id', 'id'])
      .execute();

    await db.schema.alterTable('citizens').addColumn('warned_at', t.timestamp).execute();
  },
};
