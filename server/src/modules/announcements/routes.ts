import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.js';
import { type AuthGuards, citizenOf, staffOf } from '../../http/auth.js';
import { Id, IdParams, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { policies } from '../complaints/policies.js';

/** Text in up to three languages; send at least one. */
export const LocalizedInput = (max: number) =>
  Type.Object(
    {
      en: Type.Optional(Type.String({ maxLength: max })),
      ur: Type.Optional(Type.String({ maxLength: max })),
      ps: Type.Optional(Type.String({ maxLength: max })),
    },
    { additionalProperties: false },
  );
export const LocalizedOutput = Type.Object({
  en: Type.Union([Type.String(), Type.Null()]),
  ur: Type.Union([Type.String(), Type.Null()]),
  ps: Type.Union([Type.String(), Type.Null()]),
});
export const Instant = Type.String({ format: 'date-time', maxLength: 40 });
export const Severity = Type.Union([Type.Literal('emergency'), Type.Literal('general')]);
const Cursor = Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' }));

const StaffAnnouncement = Type.Object({
  id: Type.Integer(),
  severity: Severity,
  title: LocalizedOutput,
  body: LocalizedOutput,
  districtIds: Type.Union([Type.Array(Type.Integer()), Type.Null()], {
    description: 'null: the whole province',
  }),
  sendSms: Type.Boolean(),
  startsAt: Type.String(),
  expiresAt: Type.String(),
  withdrawnAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const CitizenAnnouncement = Type.Object({
  id: Type.Integer(),
  severity: Severity,
  title: Type.String(),
  body: Type.Union([Type.String(), Type.Null()]),
  language: Type.String({ description: "the language shown: the citizen's own when written in it" }),
  startsAt: Type.String(),
  expiresAt: Type.String(),
  readAt: Type.Union([Type.String(), Type.Null()]),
  banner: Type.Boolean({ description: 'an unread emergency: show it as a banner until read or expired' }),
});

export const announcementsRoutes: FastifyPluginAsyncTypebox<{
  services: Services;
  guards: AuthGuards;
}> = async (app, { services, guards }) => {
  const { announcements } = services;
  const adminGuard = guards.staffWith(['admin']);
  const admin = async (request: FastifyRequest) => {
    await adminGuard(request);
    if (!policies.canManageAnnouncements(staffOf(request))) {
      throw forbidden('role', 'Your role does not allow this.');
    }
  };

  app.get(
    '/announcements',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['announcements'],
        summary: "Current announcements for the citizen's district, newest first, with read state",
        response: responses({ 200: Type.Object({ items: Type.Array(CitizenAnnouncement) }) }),
      },
    },
    async (request) => announcements.forCitizen(citizenOf(request).id),
  );

  app.post(
    '/announcements/:id/read',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['announcements'],
        summary: 'Mark an announcement read (its banner goes away)',
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await announcements.markRead(citizenOf(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/staff/announcements',
    {
      preHandler: admin,
      schema: {
        tags: ['announcements'],
        summary: 'Every announcement, newest first',
        querystring: Type.Object(
          { cursor: Cursor, limit: Type.Integer({ minimum: 1, maximum: 100, default: 30 }) },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(StaffAnnouncement),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) =>
      announcements.list({
        cursor: request.query.cursor === undefined ? undefined : Number(request.query.cursor),
        limit: request.query.limit,
      }),
  );

  app.post(
    '/staff/announcements',
    {
      preHandler: admin,
      schema: {
        tags: ['announcements'],
        summary:
          'Announce: an emergency is pushed to every device in the target (and by SMS with sendSms) when it starts',
        body: Type.Object(
          {
            severity: Severity,
            title: LocalizedInput(200),
            body: LocalizedInput(2000),
            districtIds: Type.Optional(
              Type.Union([Type.Array(Id, { minItems: 1, maxItems: 200 }), Type.Null()], {
                description: 'null or absent: the whole province',
              }),
            ),
            startsAt: Type.Optional(Instant),
            expiresAt: Instant,
            sendSms: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: StaffAnnouncement }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await announcements.create(request.body, staffOf(request).id)),
  );

  app.get(
    '/staff/announcements/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['announcements'],
        summary: 'One announcement',
        params: IdParams,
        response: responses({ 200: StaffAnnouncement }),
      },
    },
    async (request) => announcements.get(request.params.id),
  );

  app.patch(
    '/staff/announcements/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['announcements'],
        summary: 'Correct the text or change the expiry (the target and severity stay: pushes may be out)',
        params: IdParams,
        body: Type.Object(
          {
            title: Type.Optional(LocalizedInput(200)),
            body: Type.Optional(LocalizedInput(2000)),
            expiresAt: Type.Optional(Instant),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: StaffAnnouncement }),
      },
    },
    async (request) => announcements.update(request.params.id, request.body, staffOf(request).id),
  );

  app.delete(
    '/staff/announcements/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['announcements'],
        summary: 'Withdraw: off every list at once; push batches not yet sent are dropped',
        params: IdParams,
        response: responses({ 200: StaffAnnouncement }),
      },
    },
    async (request) => announcements.withdraw(request.params.id, staffOf(request).id),
  );
};
