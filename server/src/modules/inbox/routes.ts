import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { type AuthGuards, citizenOf } from '../../http/auth.js';
import { responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';

const Item = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  complaintId: Type.Union([Type.Integer(), Type.Null()]),
  trackingNumber: Type.Union([Type.String(), Type.Null()]),
  title: Type.String(),
  body: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  readAt: Type.Union([Type.String(), Type.Null()]),
});

const HEARTBEAT_MS = 25_000;

export const inboxRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const { inbox } = services;

  app.get(
    '/inbox',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['inbox'],
        summary: 'The Message Box: status changes, replies and messages from the government, newest first',
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ maxLength: 20 })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 30 }),
            unread: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            unread: Type.Integer(),
            items: Type.Array(Item),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) =>
      inbox.list(citizenOf(request).id, {
        cursor: request.query.cursor,
        limit: request.query.limit,
        unreadOnly: request.query.unread,
      }),
  );

  app.post(
    '/inbox/read',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['inbox'],
        summary: 'Mark items (or all) as read',
        body: Type.Union([
          Type.Object(
            { ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500 }) },
            { additionalProperties: false },
          ),
          Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
        ]),
        response: responses({ 200: Type.Object({ unread: Type.Integer() }) }),
      },
    },
    async (request) =>
      inbox.markRead(citizenOf(request).id, 'all' in request.body ? 'all' : request.body.ids),
  );

  app.get(
    '/inbox/stream',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['inbox'],
        summary: 'Server-Sent Events: `inbox` with {unread, latestId} at once and whenever items arrive',
      },
    },
    async (request, reply) => {
      const citizenId = citizenOf(request).id;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      let lastSent = -1;
      let sending = false;
      let again = false;
      const send = async () => {
        if (sending) {
          again = true;
          return;
        }
        sending = true;
        try {
          do {
            again = false;
            const s = await inbox.summary(citizenId);
            if (s.latestId !== lastSent && !raw.destroyed) {
              lastSent = s.latestId;
              raw.write(`id: ${s.latestId}\nevent: inbox\ndata: ${JSON.stringify(s)}\n\n`);
            }
          } while (again);
        } catch (err) {
          request.log.warn({ err }, 'inbox stream update failed');
        } finally {
          sending = false;
        }
      };
      const unsubscribe = inbox.subscribe(citizenId, () => void send());
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.raw.on('close', stop);
      raw.on('error', stop);
      raw.write('retry: 5000\n\n');
      await send();
    },
  );
};
