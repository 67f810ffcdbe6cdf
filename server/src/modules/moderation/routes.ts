import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { IdParams, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';

const Sanctioned = Type.Object({
  id: Type.Integer(),
  status: Type.String(),
  warnings: Type.Integer(),
  blockedAt: Type.Union([Type.String(), Type.Null()]),
  blockedReason: Type.Union([Type.String(), Type.Null()]),
});

const CitizenFound = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  cnic: Type.String({ description: 'Masked: 17301-*******-3' }),
  mobile: Type.String(),
  districtId: Type.Integer(),
  status: Type.String(),
  createdAt: Type.String(),
});

/** Admins only: finding citizens, and warning and blocking those who misuse the portal. */
export const moderationRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const admin = guards.staffWith(['admin']);
  const Reason = Type.Object(
    { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
    { additionalProperties: false },
  );

  for (const action of ['warn', 'block', 'unblock'] as const) {
    app.post(
      `/staff/citizens/:id/${action}`,
      {
        preHandler: admin,
        schema: {
          tags: ['moderation'],
          summary: { warn: 'Warn a citizen', block: 'Block a citizen from filing', unblock: 'Lift a block' }[
            action
          ],
          params: IdParams,
          body: Reason,
          response: responses({ 200: Sanctioned }),
        },
      },
      async (request) =>
        services.moderation.sanction(staffOf(request).id, request.params.id, action, request.body.reason),
    );
  }

  app.get(
    '/staff/citizens',
    {
      preHandler: admin,
      schema: {
        tags: ['moderation'],
        summary: 'Find citizens by CNIC, mobile number, id (#123) or part of the name',
        querystring: Type.Object(
          { q: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(CitizenFound) }) }),
      },
    },
    async (request) => ({ items: await services.accounts.findForStaff(request.query.q) }),
  );

  app.get(
    '/staff/citizens/blocked',
    {
      preHandler: admin,
      schema: {
        tags: ['moderation'],
        summary: 'Blocked citizens, most recent first',
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                name: Type.String(),
                districtId: Type.Integer(),
                warnings: Type.Integer(),
                blockedAt: Type.Union([Type.String(), Type.Null()]),
                blockedReason: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => services.moderation.blocked(request.query),
  );
};
