import { sql } from 'kysely';
import type { PortalMigration } from './helpers.js';

// Reference data, citizens and staff, sessions, throttles, SMS and the embedded job queue.
export const foundation: PortalMigration = {
  async up(db, t) {
    await t
      .id(db.schema.createTable('divisions'))
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_ur', 'text', (c) => c.notNull())
      .addColumn('name_ps', 'text', (c) => c.notNull())
      .execute();

    await t
      .id(db.schema.createTable('districts'))
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_ur', 'text', (c) => c.notNull())
      .addColumn('name_ps', 'text', (c) => c.notNull())
      .addColumn('division_id', 'bigint', (c) => c.notNull().references('divisions.id'))
      .addColumn('hq_lat', t.real, (c) => c.notNull())
      .addColumn('hq_lng', t.real, (c) => c.notNull())
      .addColumn('aliases', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();

    await t
      .id(db.schema.createTable('district_boundaries'))
      .addColumn('district_id', 'bigint', (c) => c.notNull().references('districts.id').onDelete('cascade'))
      .addColumn('polygons', 'text', (c) => c.notNull())
      .addColumn('min_lat', t.real, (c) => c.notNull())
      .addColumn('min_lng', t.real, (c) => c.notNull())
      .addColumn('max_lat', t.real, (c) => c.notNull())
      .addColumn('max_lng', t.real, (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('imported_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('district_boundaries_district')
      .on('district_boundaries')
      .column('district_id')
      .execute();

    await t
      .id(db.schema.createTable('departments'))
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_ur', 'text', (c) => c.notNull())
      .addColumn('name_ps', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();

    await t
      .id(db.schema.createTable('categories'))
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('department_id', 'bigint', (c) => c.notNull().references('departments.id'))
      .addColumn('parent_id', 'bigint', (c) => c.references('categories.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_ur', 'text', (c) => c.notNull())
      .addColumn('name_ps', 'text', (c) => c.notNull())
      .addColumn('sla_days', 'integer', (c) => c.notNull())
      .addColumn('keywords', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('categories_department').on('categories').column('department_id').execute();

    await t
      .id(db.schema.createTable('citizens'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('cnic_hash', 'text', (c) => c.notNull().unique())
      .addColumn('cnic_enc', 'text', (c) => c.notNull())
      .addColumn('mobile', 'text', (c) => c.notNull().unique())
      .addColumn('email', 'text')
      .addColumn('district_id', 'bigint', (c) => c.notNull().references('districts.id'))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('verified_at', t.timestamp)
      .addColumn('blocked_at', t.timestamp)
      .addColumn('blocked_reason', 'text')
      .addColumn('warnings', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('citizens_district').on('citizens').column('district_id').execute();

    await t
      .id(db.schema.createTable('otp_codes'))
      .addColumn('citizen_id', 'bigint', (c) => c.notNull().references('citizens.id').onDelete('cascade'))
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('consumed_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('otp_codes_citizen')
      .on('otp_codes')
      .columns(['citizen_id', 'purpose', 'created_at'])
      .execute();

    await t
      .id(db.schema.createTable('otp_sends'))
      .addColumn('citizen_id', 'bigint', (c) => c.notNull().references('citizens.id').onDelete('cascade'))
      .addColumn('mobile', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('otp_sends_mobile')
      .on('otp_sends')
      .columns(['mobile', 'created_at'])
      .execute();
    await db.schema.createIndex('otp_sends_ip').on('otp_sends').columns(['ip', 'created_at']).execute();

    await t
      .id(db.schema.createTable('sms_messages'))
      .addColumn('reference', 'text', (c) => c.notNull().unique())
      .addColumn('to_number', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('body_enc', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('provider', 'text')
      .addColumn('provider_message_id', 'text')
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sms_messages_provider_id')
      .on('sms_messages')
      .column('provider_message_id')
      .execute();

    await t
      .id(db.schema.createTable('staff'))
      .addColumn('login', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.references('departments.id'))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('staff_districts')
      .addColumn('staff_id', 'bigint', (c) => c.notNull().references('staff.id').onDelete('cascade'))
      .addColumn('district_id', 'bigint', (c) => c.notNull().references('districts.id'))
      .addPrimaryKeyConstraint('staff_districts_pk', ['staff_id', 'district_id'])
      .execute();

    await t
      .id(db.schema.createTable('sessions'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('subject_type', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'bigint', (c) => c.notNull())
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('revoked_at', t.timestamp)
      .execute();
    await db.schema
      .createIndex('sessions_subject')
      .on('sessions')
      .columns(['subject_type', 'subject_id'])
      .execute();

    await db.schema
      .createTable('throttles')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('window_start', t.timestamp, (c) => c.notNull())
      .addColumn('blocked_until', t.timestamp)
      .execute();

    await t
      .id(db.schema.createTable('jobs'))
      .addColumn('queue', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('backoff_seconds', 'integer', (c) => c.notNull())
      .addColumn('run_at', t.timestamp, (c) => c.notNull())
      .addColumn('locked_until', t.timestamp)
      .addColumn('last_error', 'text')
      .addColumn('singleton_key', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_due').on('jobs').columns(['queue', 'state', 'run_at']).execute();
    await sql`create unique index jobs_singleton on jobs (queue, singleton_key) where singleton_key is not null and state in ('pending', 'active')`.execute(
      db,
    );
  },
};
