import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.js';
import { type AuthGuards, citizenOf, staffOf } from '../../http/auth.js';
import { IdParams, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { policies } from '../complaints/policies.js';

const Key = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[A-Za-z0-9_-]+={0,2}$' });

const Preferences = Type.Object({
  push: Type.Boolean({ description: 'Web Push to the registered devices' }),
  sms: Type.Boolean({ description: 'SMS when a complaint is filed and when it is resolved' }),
  email: Type.Boolean({ description: 'Kept for email notices (not sent yet)' }),
});

const Device = Type.Object({
  id: Type.Integer(),
  pushService: Type.String(),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

const Failure = Type.Object({
  id: Type.Integer(),
  message: Type.String({ description: 'e<event id> for a complaint event, a<id> for an announcement' }),
  deviceId: Type.Integer(),
  citizenId: Type.Union([Type.Integer(), Type.Null()]),
  pushService: Type.String(),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.String(),
  removed: Type.Boolean({ description: 'the push service said the device is gone, so it was removed' }),
  createdAt: Type.String(),
});

export interface NotificationRouteOptions {
  services: Services;
  guards: AuthGuards;
  vapidPublicKey: string;
}

/** Devices for Web Push, the citizen's notification preferences, and delivery failures for admins. */
export const notificationsRoutes: FastifyPluginAsyncTypebox<NotificationRouteOptions> = async (
  app,
  { services, guards, vapidPublicKey },
) => {
  const { notifications } = services;
  const adminGuard = guards.staffWith(['admin']);
  const admin = async (request: FastifyRequest) => {
    await adminGuard(request);
    if (!policies.canViewDeliveryFailures(staffOf(request))) {
      throw forbidden('role', 'Your role does not allow this.');
    }
  };

  app.get(
    '/push/key',
    {
      schema: {
        tags: ['notifications'],
        summary:
          "The VAPID public key: pass it as applicationServerKey to the browser's pushManager.subscribe()",
        response: responses({ 200: Type.Object({ publicKey: Type.String() }) }),
      },
    },
    async () => ({ publicKey: vapidPublicKey }),
  );

  app.post(
    '/push/subscriptions',
    {
      preHandler: guards.citizen,
      config: { rateLimit: { max: 30, timeWindow: '1 hour' } },
      schema: {
        tags: ['notifications'],
        summary: "Register this device for notifications: the JSON of the browser's PushSubscription",
        body: Type.Object(
          {
            endpoint: Type.String({ minLength: 10, maxLength: 1000 }),
            expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
            keys: Type.Object({ p256dh: Key(120), auth: Key(40) }, { additionalProperties: false }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ id: Type.Integer() }) }),
      },
    },
    async (request, reply) => {
      const ua = request.headers['user-agent'];
      const saved = await notifications.subscribe(citizenOf(request).id, {
        endpoint: request.body.endpoint,
        p256dh: request.body.keys.p256dh,
        auth: request.body.keys.auth,
        userAgent: typeof ua === 'string' ? ua.slice(0, 300) : null,
      });
      return reply.status(201).send(saved);
    },
  );

  app.get(
    '/push/subscriptions',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['notifications'],
        summary: "The citizen's registered devices",
        response: responses({ 200: Type.Object({ items: Type.Array(Device) }) }),
      },
    },
    async (request) => ({ items: await notifications.devices(citizenOf(request).id) }),
  );

  app.delete(
    '/push/subscriptions',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['notifications'],
        summary: 'Stop notifications to a device, named by its endpoint (on unsubscribe or logout)',
        body: Type.Object(
          { endpoint: Type.String({ minLength: 10, maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await notifications.unsubscribe(citizenOf(request).id, { endpoint: normalise(request.body.endpoint) });
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/push/subscriptions/:id',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['notifications'],
        summary: 'Stop notifications to one of the listed devices',
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await notifications.unsubscribe(citizenOf(request).id, { id: request.params.id });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me/notifications',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['notifications'],
        summary: 'How the citizen wants to hear about their complaints',
        response: responses({ 200: Preferences }),
      },
    },
    async (request) => notifications.preferences(citizenOf(request).id),
  );

  app.put(
    '/me/notifications',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['notifications'],
        summary: 'Change the preferences; fields left out keep their value',
        body: Type.Object(
          {
            push: Type.Optional(Type.Boolean()),
            sms: Type.Optional(Type.Boolean()),
            email: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: Preferences }),
      },
    },
    async (request) => notifications.setPreferences(citizenOf(request).id, request.body),
  );

  app.get(
    '/staff/push/failures',
    {
      preHandler: admin,
      schema: {
        tags: ['notifications'],
        summary:
          'Push deliveries that failed for good, and devices removed because the push service forgot them',
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(Failure),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) =>
      notifications.failures({
        cursor: request.query.cursor === undefined ? undefined : Number(request.query.cursor),
        limit: request.query.limit,
      }),
  );
};

/** Stored endpoints went through URL parsing; the same spelling finds them. */
function normalise(endpoint: string): string {
  try {
    return new URL(endpoint).toString();
  } catch {
    return endpoint;
  }
}
