import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';

import type { Config } from '../../config.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { clearSessionCookies, requestMeta, setSessionCookies } from '../accounts/routes.js';

const StaffProfile = Type.Object({
  id: Type.Integer(),
  login: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('officer')]),
  departmentId: Type.Union([Type.Integer(), Type.Null()]),
  districtIds: Type.Array(Type.Integer()),
});

export const staffRoutes: FastifyPluginAsyncTypebox<{
  services: Services;
  guards: AuthGuards;
  config: Readonly<Config>;
}> = async (app, { services, guards, config }) => {
  app.post(
    '/staff/auth/login',
    {
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['staff'],
        summary: 'Staff log in',
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 128 }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            token: Type.String(),
            csrfToken: Type.String(),
            expiresAt: Type.String(),
            user: StaffProfile,
          }),
        }),
      },
    },
    async (request, reply) => {
      const result = await services.staff.login(request.body, requestMeta(request));
      setSessionCookies(reply, config, 'staff', result);
      return result;
    },
  );

  app.post(
    '/staff/auth/logout',
    { preHandler: guards.staff, schema: { tags: ['staff'], response: responses({ 204: Type.Null() }) } },
    async (request, reply) => {
      await services.sessions.revoke(staffOf(request).sessionId);
      clearSessionCookies(reply, 'staff');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/staff/accounts',
    {
      preHandler: guards.staffWith(['admin']),
      schema: {
        tags: ['staff'],
        summary: 'Staff accounts, in the order they were made (admins)',
        querystring: Type.Object(
          {
            department: Type.Optional(Type.Integer({ minimum: 1 })),
            cursor: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(Type.Object({ ...StaffProfile.properties, active: Type.Boolean() })),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) =>
      services.staff.list({
        departmentId: request.query.department,
        cursor: request.query.cursor,
        limit: request.query.limit,
      }),
  );

  app.get(
    '/staff/me',
    { preHandler: guards.staff, schema: { tags: ['staff'], response: responses({ 200: StaffProfile }) } },
    async (request) => (await services.staff.profile(staffOf(request).id))!,
  );
};
