import { WebPushSender } from './adapters/push/web-push.js';
import { createStorage } from './adapters/storage/index.js';
import type { AppDeps } from './app.js';
import { createChangeFeed } from './cache/change-feed.js';
import { OtpService } from './modules/accounts/otp.js';
import { AccountService } from './modules/accounts/service.js';
import { AnnouncementService } from './modules/announcements/service.js';
import { ApiKeyService } from './modules/apikeys/service.js';
import { AuditService } from './modules/audit/service.js';
import { CaseworkService } from './modules/casework/service.js';
import { SlaService } from './modules/casework/sla.js';
import { CommunicationService } from './modules/communications/service.js';
import { ComplaintLifecycle } from './modules/complaints/lifecycle.js';
import { ReferenceCache } from './modules/complaints/reference.js';
import { ComplaintService } from './modules/complaints/service.js';
import { auditSubscriber, messageBoxSubscriber } from './modules/complaints/subscribers.js';
import { rollupSubscriber } from './modules/dashboards/rollup.js';
import { DashboardService } from './modules/dashboards/service.js';
import { EmailService } from './modules/email/service.js';
import { GeoService, ReferenceDataService } from './modules/geo/service.js';
import { IdempotencyService } from './modules/idempotency/service.js';
import { createInboxNotifier } from './modules/inbox/notifier.js';
import { InboxService } from './modules/inbox/service.js';
import { MediaService } from './modules/media/service.js';
import { SANCTION_TITLES } from './modules/moderation/messages.js';
import { ModerationService } from './modules/moderation/service.js';
import { NotificationService } from './modules/notifications/service.js';
import { pushSubscriber } from './modules/notifications/subscriber.js';
import { Open311Service } from './modules/open311/service.js';
import { PollService } from './modules/polls/service.js';
import { RoutingService } from './modules/routing/service.js';
import { SessionService } from './modules/sessions/service.js';
import { SmsService } from './modules/sms/service.js';
import { StaffService } from './modules/staff/service.js';
import { ThrottleService } from './modules/throttle/service.js';
import { TransparencyService } from './modules/transparency/service.js';

/** The composition root: each service gets exactly what it needs, and workers register their queues. */
export function createServices(deps: Omit<AppDeps, 'logger'> & { logger: AppDeps['logger'] }) {
  const { config, database, jobs, logger } = deps;
  const db = database.db;
  const secrets = config.secrets;

  const changes = createChangeFeed(database, {
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    onError: (err) =>
      logger.warn({ err }, 'change listener connection lost; caches read through until it is back'),
  });
  const sessions = new SessionService(db, secrets.sessionKey, config.session.ttlHours, changes);
  const throttle = new ThrottleService(db);
  const audit = new AuditService(db);
  const geo = new GeoService(db, audit);
  const sms = new SmsService({ db, jobs, gateway: deps.sms, key: secrets.cnicKey, logger });
  const email = new EmailService({ jobs, sender: deps.email, key: secrets.cnicKey, logger });
  const otp = new OtpService({ db, config, sms, email });
  const accounts = new AccountService({ db, config, otp, sessions, throttle, geo, sms, changes });
  const staff = new StaffService({
    db,
    sessions,
    throttle,
    geo,
    audit,
    changes,
    lookupKey: secrets.lookupKey,
  });
  const referenceData = new ReferenceDataService(db, audit);
  const routing = new RoutingService(db, audit);
  const inbox = new InboxService(
    db,
    createInboxNotifier(database, {
      databaseUrl: config.databaseUrl,
      schema: config.databaseSchema,
      onError: (err) => logger.warn({ err }, 'inbox listener connection lost; reconnecting'),
    }),
  );
  const lifecycle = new ComplaintLifecycle();
  lifecycle.subscribe(messageBoxSubscriber(inbox));
  lifecycle.subscribe(auditSubscriber(audit));
  // Dashboard rollups change in the same transaction as the complaint they count.
  lifecycle.subscribe(rollupSubscriber());
  const notifications = new NotificationService({
    db,
    jobs,
    logger,
    sender: new WebPushSender({
      keys: config.push.vapid,
      subject: config.push.vapidSubject,
      maxSockets: config.push.concurrency,
      encryptThreads: config.push.encryptThreads,
    }),
    concurrency: config.push.concurrency,
    batchSize: config.push.batchSize,
    allowLocalEndpoints: config.push.allowLocalEndpoints,
  });
  lifecycle.subscribe(pushSubscriber(notifications, sms));
  const announcements = new AnnouncementService({ db, jobs, audit, notifications, sms });
  const polls = new PollService({ db, audit });
  const communications = new CommunicationService({ db, jobs, audit, inbox });
  const reference = new ReferenceCache(db);
  const idempotency = new IdempotencyService(db);
  const storage = createStorage(config);
  const media = new MediaService({
    db,
    storage,
    jobs,
    logger,
    config,
    // A verdict on a file is a step in its complaint's (internal) timeline, and so in the audit chain.
    onModerated: async (trx, { before, after, staffId }) => {
      if (after.complaintId === null) return;
      await lifecycle.apply(trx, after.complaintId, {
        type: 'media_moderated',
        visibility: 'internal',
        actor: { type: 'staff', id: staffId },
        data: { mediaId: after.id, from: before.moderation, to: after.moderation },
      });
    },
  });
  const complaints = new ComplaintService({
    db,
    config,
    geo,
    routing,
    lifecycle,
    reference,
    idempotency,
    media,
  });

  const casework = new CaseworkService({ db, config, lifecycle, reference, routing, media });
  const sla = new SlaService({ db, config, jobs, lifecycle, logger });
  const dashboards = new DashboardService({ db, reference, geo });
  const apiKeys = new ApiKeyService({ db, audit });
  const open311 = new Open311Service({ db, reference, complaints, apiKeys, publicUrl: config.publicUrl });
  const transparency = new TransparencyService({ db, audit, dashboards, reference, geo });
  routing.onChange(() => reference.invalidate());
  referenceData.onChange(() => reference.invalidate());
  const moderation = new ModerationService({
    db,
    audit,
    changes,
    async notify(trx, citizenId, kind, reason) {
      const citizen = await trx
        .selectFrom('citizens')
        .select('language')
        .where('id', '=', citizenId)
        .executeTakeFirst();
      await inbox.deliverMessage(trx, {
        citizenId,
        kind,
        title: SANCTION_TITLES[kind][citizen?.language ?? 'en'],
        body: reason,
      });
    },
  });

  sms.registerWorkers();
  email.registerWorkers();
  media.registerWorkers();
  sla.registerWorkers();
  notifications.registerWorkers();
  announcements.registerWorkers();
  communications.registerWorkers();

  return {
    changes,
    sessions,
    throttle,
    geo,
    sms,
    email,
    otp,
    accounts,
    staff,
    referenceData,
    routing,
    lifecycle,
    reference,
    idempotency,
    complaints,
    media,
    casework,
    sla,
    audit,
    inbox,
    moderation,
    notifications,
    announcements,
    polls,
    communications,
    dashboards,
    apiKeys,
    open311,
    transparency,
  };
}

export type Services = ReturnType<typeof createServices>;
