import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { AuthGuards } from '../../http/auth.js';
import { responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';

const ActorType = Type.Union([
  Type.Literal('citizen'),
  Type.Literal('staff'),
  Type.Literal('system'),
  Type.Literal('api'),
]);

const Entry = Type.Object({
  id: Type.Integer(),
  actor: Type.Object({ type: ActorType, id: Type.Union([Type.Integer(), Type.Null()]) }),
  action: Type.String(),
  entity: Type.Object({ type: Type.String(), id: Type.String() }),
  before: Type.Unknown(),
  after: Type.Unknown(),
  ip: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  prevHash: Type.String(),
  hash: Type.String(),
});

/** The audit log and its verification: admins only. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const admin = guards.staffWith(['admin']);

  app.get(
    '/staff/audit',
    {
      preHandler: admin,
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first; filter by entity (type, or type and id) or by actor',
        querystring: Type.Object(
          {
            entityType: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            entityId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            actorType: Type.Optional(ActorType),
            actorId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
            cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(Entry),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => services.audit.list(request.query),
  );

  app.get(
    '/staff/audit/verify',
    {
      preHandler: admin,
      // It reads the whole log: a few runs a minute are plenty.
      config: { rateLimit: { max: 6, timeWindow: '1 minute' } },
      schema: {
        tags: ['audit'],
        summary: 'Check the hash chain; names the first broken entry',
        response: responses({
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            firstBroken: Type.Optional(Type.Object({ id: Type.Integer(), reason: Type.String() })),
          }),
        }),
      },
    },
    async () => services.audit.verify(),
  );
};
