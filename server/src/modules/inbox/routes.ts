import type { OutgoingHttpHeaders } from 'node:http';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { AppError, rateLimited } from '../../errors.js';
import { type AuthGuards, citizenOf } from '../../http/auth.js';
import { Id, responses } from '../../http/schemas.js';
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

export interface InboxRouteOptions {
  services: Services;
  guards: AuthGuards;
  /** Comment lines keep proxies from closing an idle stream; each also re-checks the session. */
  heartbeatMs?: number;
  /** Live streams one citizen may hold on one node (tabs, phone and laptop), so no one pins the server. */
  maxStreamsPerCitizen?: number;
}

export const inboxRoutes: FastifyPluginAsyncTypebox<InboxRouteOptions> = async (
  app,
  { services, guards, heartbeatMs = 25_000, maxStreamsPerCitizen = 5 },
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
            cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
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
        summary: 'Mark items (up to 500), or all of them, as read; answers the new unread count',
        body: Type.Union([
          Type.Object(
            { ids: Type.Array(Id, { minItems: 1, maxItems: 500 }) },
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

  // Streams end when the app closes: a hijacked response would otherwise hold server.close() open forever.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get(
    '/inbox/stream',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['inbox'],
        summary:
          'Server-Sent Events: `event: inbox` with {unread, latestId} on connect and whenever items arrive',
      },
    },
    async (request, reply) => {
      const citizenId = citizenOf(request).id;
      if (inbox.listenerCount(citizenId) >= maxStreamsPerCitizen) {
        throw rateLimited('too_many_streams', 'Too many live connections for this account; close one.', 30);
      }
      // From here Node's response is ours: Fastify's onSend hooks no longer run, so headers they would
      // add (the security headers, the request id) are copied in here.
      reply.hijack();
      const raw = reply.raw;
      const headers = Object.entries(reply.getHeaders()).filter(([, v]) => v !== undefined);
      raw.writeHead(200, {
        ...(Object.fromEntries(headers) as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });

      let ended = false;
      let lastSent = -1;
      let sending = false;
      let again = false;
      // Nudges coalesce: one read of the box at a time, and one more if nudged meanwhile.
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
            if (ended || s.latestId === lastSent) continue;
            lastSent = s.latestId;
            raw.write(`id: ${s.latestId}\nevent: inbox\ndata: ${JSON.stringify(s)}\n\n`);
          } while (again && !ended);
        } catch (err) {
          request.log.warn({ err }, 'inbox stream update failed');
        } finally {
          sending = false;
        }
      };

      const unsubscribe = inbox.subscribe(citizenId, () => void send());
      const heartbeat = setInterval(async () => {
        try {
          // A session that ended (logout, password change, block) ends its stream too.
          await guards.citizen(request);
        } catch (err) {
          if (err instanceof AppError) return end();
          request.log.warn({ err }, 'inbox stream session check failed');
        }
        if (!ended) raw.write(': keep-alive\n\n');
      }, heartbeatMs);
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        raw.end();
      };
      open.add(end);
      // The response's close fires when the client goes away (or after end): the listener goes with it.
      raw.on('close', end);
      raw.on('error', end);
      // A client that left while the session was being checked already fired its close.
      if (raw.destroyed || request.raw.socket.destroyed) return end();
      raw.write('retry: 5000\n\n');
      await send();
    },
  );
};
