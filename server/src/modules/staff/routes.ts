import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';

import type { Config } from '../../config.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { Id, IdParams, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { clearSessionCookies, requestMeta, setSessionCookies } from '../accounts/routes.js';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('officer')]);
const StaffProfile = Type.Object({
  id: Type.Integer(),
  login: Type.String(),
  name: Type.String(),
  role: Role,
  departmentId: Type.Union([Type.Integer(), Type.Null()]),
  districtIds: Type.Array(Type.Integer()),
});
const StaffAccount = Type.Object({ ...StaffProfile.properties, active: Type.Boolean() });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Password = Type.String({ minLength: 1, maxLength: 128 });
const DepartmentId = Type.Union([Id, Type.Null()], { description: 'null for admins' });
const DistrictIds = Type.Array(Id, { maxItems: 200, description: 'none: every district (supervisors)' });

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

  const manager = guards.staffWith(['admin', 'supervisor']);

  app.get(
    '/staff/accounts',
    {
      preHandler: manager,
      schema: {
        tags: ['staff'],
        summary: "Staff accounts, in the order they were made (admins: all; supervisors: their department's)",
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
            items: Type.Array(StaffAccount),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) =>
      services.staff.list(
        {
          departmentId: request.query.department,
          cursor: request.query.cursor,
          limit: request.query.limit,
        },
        staffOf(request),
      ),
  );

  app.post(
    '/staff/accounts',
    {
      preHandler: manager,
      schema: {
        tags: ['staff'],
        summary: 'Make a staff account (supervisors: officers of their department, in their districts)',
        body: Type.Object(
          {
            login: Type.String({ minLength: 1, maxLength: 64 }),
            name: Type.Optional(Name),
            password: Password,
            role: Role,
            departmentId: Type.Optional(DepartmentId),
            districtIds: Type.Optional(DistrictIds),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: StaffAccount }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.staff.create(request.body, staffOf(request))),
  );

  app.patch(
    '/staff/accounts/:id',
    {
      preHandler: manager,
      schema: {
        tags: ['staff'],
        summary:
          'Change a staff account; deactivating it or changing its role, department or districts ends its sessions',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            role: Type.Optional(Role),
            departmentId: Type.Optional(DepartmentId),
            districtIds: Type.Optional(DistrictIds),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: StaffAccount }),
      },
    },
    async (request) => services.staff.update(request.params.id, request.body, staffOf(request)),
  );

  app.post(
    '/staff/accounts/:id/password',
    {
      preHandler: guards.staffWith(['admin']),
      schema: {
        tags: ['staff'],
        summary: "Set a new password for a staff account (admins); the account's sessions end",
        params: IdParams,
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await services.staff.resetPassword(request.params.id, request.body.password, staffOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/staff/me',
    { preHandler: guards.staff, schema: { tags: ['staff'], response: responses({ 200: StaffProfile }) } },
    async (request) => (await services.staff.profile(staffOf(request).id))!,
  );
};
