import type { PortalMigration } from './helpers.js';

// Web Push devices and what was sent to them, notification preferences, announcements with per-reader
// markers, polls with running tallies, and general communications.
export const notifications: PortalMigration = {
  async up(db, t) {
    // One row per device; the push service's endpoint identifies a device, so it is unique.
    await t
      .id(db.schema.createTable('push_subscriptions'))
      .addColumn('citizen_id', 'bigint', (c) => c.notNull().references('citizens.id').onDelete('cascade'))
      .addColumn('endpoint', 'text', (c) => c.notNull().unique())
      .addColumn('p256dh', 'text', (c) => c.notNull())
      .addColumn('auth', 'text', (c) => c.notNull())
      .addColumn('user_agent', 'text')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('push_subscriptions_citizen')
      .on('push_subscriptions')
      .columns(['citizen_id', 'id'])
      .execute();

    // What was sent: a retried job skips every (message, device) already here. No foreign key to the
    // subscription, so a device removed later keeps its history out of the way of the delete.
    await db.schema
      .createTable('push_deliveries')
      .addColumn('message_key', 'text', (c) => c.notNull())
      .addColumn('subscription_id', 'bigint', (c) => c.notNull())
      .addColumn('sent_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('push_deliveries_pk', ['message_key', 'subscription_id'])
      .execute();

    await t
      .id(db.schema.createTable('push_failures'))
      .addColumn('message_key', 'text', (c) => c.notNull())
      .addColumn('subscription_id', 'bigint', (c) => c.notNull())
      .addColumn('citizen_id', 'bigint')
      .addColumn('push_service', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('error', 'text', (c) => c.notNull())
      .addColumn('removed', 'integer', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('notification_preferences')
      .addColumn('citizen_id', 'bigint', (c) => c.primaryKey().references('citizens.id').onDelete('cascade'))
      .addColumn('push', 'integer', (c) => c.notNull())
      .addColumn('sms', 'integer', (c) => c.notNull())
      .addColumn('email', 'integer', (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    // Stored once; a citizen's read state is a marker row, never a copy per citizen.
    await t
      .id(db.schema.createTable('announcements'))
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('title_en', 'text')
      .addColumn('title_ur', 'text')
      .addColumn('title_ps', 'text')
      .addColumn('body_en', 'text')
      .addColumn('body_ur', 'text')
      .addColumn('body_ps', 'text')
      .addColumn('province_wide', 'integer', (c) => c.notNull())
      .addColumn('send_sms', 'integer', (c) => c.notNull())
      // The last citizen id texted: a retried SMS page starts after it.
      .addColumn('sms_cursor', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('starts_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('withdrawn_at', t.timestamp)
      .addColumn('created_by', 'bigint', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('announcements_current')
      .on('announcements')
      .columns(['expires_at', 'starts_at'])
      .execute();
    await db.schema
      .createTable('announcement_districts')
      .addColumn('announcement_id', 'bigint', (c) =>
        c.notNull().references('announcements.id').onDelete('cascade'),
      )
      .addColumn('district_id', 'bigint', (c) => c.notNull().references('districts.id'))
      .addPrimaryKeyConstraint('announcement_districts_pk', ['announcement_id', 'district_id'])
      .execute();
    await db.schema
      .createIndex('announcement_districts_district')
      .on('announcement_districts')
      .columns(['district_id', 'announcement_id'])
      .execute();
    await db.schema
      .createTable('announcement_reads')
      .addColumn('announcement_id', 'bigint', (c) =>
        c.notNull().references('announcements.id').onDelete('cascade'),
      )
      .addColumn('citizen_id', 'bigint', (c) => c.notNull().references('citizens.id').onDelete('cascade'))
      .addColumn('read_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('announcement_reads_pk', ['announcement_id', 'citizen_id'])
      .execute();

    await t
      .id(db.schema.createTable('polls'))
      .addColumn('question_en', 'text')
      .addColumn('question_ur', 'text')
      .addColumn('question_ps', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('province_wide', 'integer', (c) => c.notNull())
      .addColumn('results', 'text', (c) => c.notNull())
      .addColumn('opens_at', t.timestamp, (c) => c.notNull())
      .addColumn('closes_at', t.timestamp, (c) => c.notNull())
      .addColumn('voters', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'bigint', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('polls_open').on('polls').columns(['closes_at', 'opens_at']).execute();
    await t
      .id(db.schema.createTable('poll_options'))
      .addColumn('poll_id', 'bigint', (c) => c.notNull().references('polls.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('label_en', 'text')
      .addColumn('label_ur', 'text')
      .addColumn('label_ps', 'text')
      .addColumn('votes', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('poll_options_poll')
      .on('poll_options')
      .columns(['poll_id', 'position'])
      .execute();
    await db.schema
      .createTable('poll_districts')
      .addColumn('poll_id', 'bigint', (c) => c.notNull().references('polls.id').onDelete('cascade'))
      .addColumn('district_id', 'bigint', (c) => c.notNull().references('districts.id'))
      .addPrimaryKeyConstraint('poll_districts_pk', ['poll_id', 'district_id'])
      .execute();
    // Who voted, never what: the key is what makes a second vote impossible, even when two arrive at once.
    await db.schema
      .createTable('poll_voters')
      .addColumn('poll_id', 'bigint', (c) => c.notNull().references('polls.id').onDelete('cascade'))
      .addColumn('citizen_id', 'bigint', (c) => c.notNull().references('citizens.id'))
      .addPrimaryKeyConstraint('poll_voters_pk', ['poll_id', 'citizen_id'])
      .execute();
    // What was voted, never by whom: counts per option and district (option_id 0 counts the district's voters).
    await db.schema
      .createTable('poll_tallies')
      .addColumn('poll_id', 'bigint', (c) => c.notNull().references('polls.id').onDelete('cascade'))
      .addColumn('option_id', 'bigint', (c) => c.notNull())
      .addColumn('district_id', 'bigint', (c) => c.notNull())
      .addColumn('votes', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('poll_tallies_pk', ['poll_id', 'option_id', 'district_id'])
      .execute();

    await t
      .id(db.schema.createTable('communications'))
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('audience_id', 'bigint', (c) => c.notNull())
      .addColumn('title_en', 'text')
      .addColumn('title_ur', 'text')
      .addColumn('title_ps', 'text')
      .addColumn('body_en', 'text')
      .addColumn('body_ur', 'text')
      .addColumn('body_ps', 'text')
      .addColumn('delivered', 'integer', (c) => c.notNull().defaultTo(0))
      // The last citizen id delivered to: a retried page starts after it, so no one gets the message twice.
      .addColumn('cursor', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('finished_at', t.timestamp)
      .addColumn('created_by', 'bigint', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
  },
};
