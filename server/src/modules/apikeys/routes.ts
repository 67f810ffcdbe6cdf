import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { IdParams, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { policies } from '../complaints/policies.js';
import { Nullable } from '../complaints/schemas.js';

const ApiKey = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
});

/** Admins list and revoke Open311 API keys (they are made with `portal apikey create`, or here). */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    await guards.staff(request, reply);
    if (!policies.canManageApiKeys(staffOf(request)))
      throw forbidden('role', 'Your role does not allow this.');
  };
  const tags = ['open311'];

  app.get(
    '/staff/api-keys',
    {
      preHandler: guard,
      schema: {
        tags,
        summary: 'Open311 API keys (never the keys themselves)',
        response: responses({ 200: Type.Array(ApiKey) }),
      },
    },
    async () => services.apiKeys.list(),
  );

  app.post(
    '/staff/api-keys',
    {
      preHandler: guard,
      schema: {
        tags,
        summary: 'Create a key; the answer is the only time the key is shown',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ key: Type.String(), apiKey: ApiKey }) }),
      },
    },
    async (request, reply) => {
      const staff = staffOf(request);
      const created = await services.apiKeys.create(request.body.name, { type: 'staff', id: staff.id });
      return reply.status(201).send(created);
    },
  );

  app.post(
    '/staff/api-keys/:id/revoke',
    {
      preHandler: guard,
      schema: {
        tags,
        summary: 'Revoke a key at once',
        params: IdParams,
        response: responses({ 200: ApiKey }),
      },
    },
    async (request) => services.apiKeys.revoke(request.params.id, { type: 'staff', id: staffOf(request).id }),
  );
};
