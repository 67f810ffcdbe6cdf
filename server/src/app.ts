import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { EmailSender } from './adapters/email/types.js';
import type { SmsGateway } from './adapters/sms/types.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { createAuthGuards } from './http/auth.js';
import { registerErrorHandling } from './http/error-handler.js';
import { addResponseHeaders } from './http/security-headers.js';
import { validatorCompiler } from './http/validation.js';
import type { JobQueue } from './jobs/queue.js';
import type { Logger } from './logger.js';
import { accountsRoutes } from './modules/accounts/routes.js';
import { announcementsRoutes } from './modules/announcements/routes.js';
import { apiKeyRoutes } from './modules/apikeys/routes.js';
import { auditRoutes } from './modules/audit/routes.js';
import { caseworkRoutes } from './modules/casework/routes.js';
import { communicationsRoutes } from './modules/communications/routes.js';
import { policies } from './modules/complaints/policies.js';
import { complaintsRoutes } from './modules/complaints/routes.js';
import { dashboardRoutes } from './modules/dashboards/routes.js';
import { boundaryRoutes } from './modules/geo/boundary-routes.js';
import { geoRoutes } from './modules/geo/routes.js';
import { healthRoutes } from './modules/health/routes.js';
import { inboxRoutes } from './modules/inbox/routes.js';
import { mediaRoutes } from './modules/media/routes.js';
import { moderationRoutes } from './modules/moderation/routes.js';
import { notificationsRoutes } from './modules/notifications/routes.js';
import { open311Routes } from './modules/open311/routes.js';
import { pollsRoutes } from './modules/polls/routes.js';
import { routingRoutes } from './modules/routing/routes.js';
import { smsRoutes } from './modules/sms/routes.js';
import { staffRoutes } from './modules/staff/routes.js';
import { publicPageRoutes, transparencyRoutes } from './modules/transparency/routes.js';
import { webRoutes } from './modules/web/routes.js';
import { createServices, type Services } from './services.js';

export interface AppDeps {
  config: Readonly<Config>;
  database: Database;
  jobs: JobQueue;
  sms: SmsGateway;
  email: EmailSender;
  logger: Logger;
}

export type App = FastifyInstance & { services: Services };

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Builds the whole HTTP application; main.ts listens, tests call inject(). */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: deps.config.trustProxy,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    // A client's id is kept when it looks like one, so a request can be followed across systems.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { allErrors: true } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // The API speaks JSON (and multipart for media); plain text bodies are refused with 415, not guessed at.
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  addResponseHeaders(app, { hsts: deps.config.publicUrl.startsWith('https:') });
  await app.register(cookie);
  // Per-route limits only (config.rateLimit on a route); they blunt floods, while the account and code
  // throttles that must hold across nodes live in the database.
  if (deps.config.rateLimits) {
    await app.register(rateLimit, { global: false, keyGenerator: (request) => request.ip });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Citizen Portal API',
        version: '1',
        description:
          'Complaint redress for citizens and government offices. Errors always have the shape ' +
          '{"error": {"code", "message", "fields"}}.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          citizenCookie: { type: 'apiKey', in: 'cookie', name: 'cp_session' },
          staffCookie: { type: 'apiKey', in: 'cookie', name: 'cp_staff_session' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const services = createServices(deps);
  await deps.jobs.prepare();
  const guards = createAuthGuards(services.sessions, services.staff);
  app.decorateRequest('principal', null);

  await app.register(healthRoutes, {
    database: deps.database,
    quiet: deps.config.logLevel === 'silent' ? 'silent' : 'warn',
  });
  await app.register(
    async (api) => {
      await api.register(geoRoutes, { services, guards });
      await api.register(boundaryRoutes, { services, guards });
      await api.register(accountsRoutes, { services, guards, config: deps.config });
      await api.register(staffRoutes, { services, guards, config: deps.config });
      await api.register(smsRoutes, { services, config: deps.config });
      await api.register(complaintsRoutes, { services, guards });
      await api.register(mediaRoutes, {
        media: services.media,
        guards,
        canOpen: async (principal, complaintId, moderation) => {
          const place = await services.complaints.place(complaintId);
          return place !== null && policies.canOpenMedia(principal, place, moderation);
        },
        canModerate: async (principal, complaintId) => {
          const place = await services.complaints.place(complaintId);
          return place !== null && policies.canModerateMedia(principal, place);
        },
      });
      await api.register(caseworkRoutes, { services, guards });
      await api.register(routingRoutes, { services, guards });
      await api.register(inboxRoutes, { services, guards });
      await api.register(auditRoutes, { services, guards });
      await api.register(moderationRoutes, { services, guards });
      await api.register(notificationsRoutes, {
        services,
        guards,
        vapidPublicKey: deps.config.push.vapid.publicKey,
      });
      await api.register(announcementsRoutes, { services, guards });
      await api.register(pollsRoutes, { services, guards });
      await api.register(communicationsRoutes, { services, guards });
      await api.register(dashboardRoutes, { services, guards });
      await api.register(apiKeyRoutes, { services, guards });
      await api.register(transparencyRoutes, { services, guards });
    },
    { prefix: '/api/v1' },
  );
  // Open311 GeoReport v2 speaks its own formats and error list; the public page is server-rendered HTML.
  await app.register(open311Routes, { services, prefix: '/open311/v2' });
  await app.register(publicPageRoutes, { services });
  // Last: the web app answers only what no API route claimed.
  await app.register(webRoutes, deps.config.web);

  // The deadline sweep keeps itself going once queued; every node that works jobs makes sure it is queued.
  app.addHook('onClose', () => services.inbox.close());
  app.addHook('onClose', () => services.changes.close());
  app.addHook('onClose', async () => services.notifications.close());
  if (deps.config.jobs.startWorkers) app.addHook('onReady', () => services.sla.schedule());
  if (deps.config.jobs.startWorkers) app.addHook('onReady', () => services.media.scheduleSweep());

  const decorated = app as unknown as App;
  decorated.decorate('services', services);
  return decorated;
}
