import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { Id, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { LocalizedInput, LocalizedOutput } from '../announcements/routes.js';
import { policies } from '../complaints/policies.js';

const AudienceType = Type.Union([
  Type.Literal('citizen'),
  Type.Literal('category'),
  Type.Literal('district'),
]);
const Communication = Type.Object({
  id: Type.Integer(),
  audience: Type.Object({ type: AudienceType, id: Type.Integer() }),
  title: LocalizedOutput,
  body: LocalizedOutput,
  delivered: Type.Integer({ description: 'Message Box items delivered so far' }),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.Integer(),
  createdByName: Type.Union([Type.String(), Type.Null()], { description: 'The admin who wrote it' }),
  createdAt: Type.String(),
});

export const communicationsRoutes: FastifyPluginAsyncTypebox<{
  services: Services;
  guards: AuthGuards;
}> = async (app, { services, guards }) => {
  const { communications } = services;
  const adminGuard = guards.staffWith(['admin']);
  const admin = async (request: FastifyRequest) => {
    await adminGuard(request);
    if (!policies.canSendCommunications(staffOf(request)))
      throw forbidden('role', 'Your role does not allow this.');
  };

  app.post(
    '/staff/communications',
    {
      preHandler: admin,
      schema: {
        tags: ['communications'],
        summary:
          "Message one citizen, the complainants of a category, or a district: Message Box items in each citizen's language",
        body: Type.Object(
          {
            audience: Type.Object({ type: AudienceType, id: Id }, { additionalProperties: false }),
            title: LocalizedInput(300),
            body: Type.Optional(LocalizedInput(5000)),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: Communication }),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await communications.send({ ...request.body, body: request.body.body ?? {} }, staffOf(request).id),
        ),
  );

  app.get(
    '/staff/communications',
    {
      preHandler: admin,
      schema: {
        tags: ['communications'],
        summary: 'Messages sent, newest first, with how many were delivered',
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 30 }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(Communication),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) =>
      communications.list({
        cursor: request.query.cursor === undefined ? undefined : Number(request.query.cursor),
        limit: request.query.limit,
      }),
  );
};
