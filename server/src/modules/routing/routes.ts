import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { Id, IdParams, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { policies } from '../complaints/policies.js';

const Office = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  departmentId: Type.Integer(),
  districtId: Type.Integer(),
  name: Type.String(),
  nameUr: Type.String(),
  namePs: Type.String(),
  active: Type.Boolean(),
});

const Rule = Type.Object({
  id: Type.Integer(),
  categoryId: Type.Integer(),
  districtId: Type.Union([Type.Integer(), Type.Null()]),
  departmentId: Type.Integer(),
  officeId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Name = Type.String({ minLength: 1, maxLength: 200 });
const OptionalId = Type.Union([Id, Type.Null()]);

/** Admins only: the offices and the table that decides which office receives a complaint. */
export const routingRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const { routing } = services;
  const adminGuard = guards.staffWith(['admin']);
  const admin = async (request: FastifyRequest) => {
    await adminGuard(request);
    if (!policies.canEditRouting(staffOf(request))) {
      throw forbidden('role', 'Your role does not allow this.');
    }
  };

  app.get(
    '/staff/offices',
    {
      preHandler: admin,
      schema: {
        tags: ['routing'],
        summary: 'Offices, by department and district',
        querystring: Type.Object(
          {
            department: Type.Optional(Id),
            district: Type.Optional(Id),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(Office) }) }),
      },
    },
    async (request) => {
      const { department, district, active } = request.query;
      const items = await routing.offices({
        departmentId: department,
        districtIds: district === undefined ? undefined : [district],
        activeOnly: active === true,
      });
      return { items: active === false ? items.filter((o) => !o.active) : items };
    },
  );

  app.post(
    '/staff/offices',
    {
      preHandler: admin,
      schema: {
        tags: ['routing'],
        summary: 'Open an office',
        body: Type.Object(
          {
            code: Type.String({ minLength: 2, maxLength: 64 }),
            departmentId: Id,
            districtId: Id,
            name: Name,
            nameUr: Name,
            namePs: Name,
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: Office }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await routing.createOffice(request.body, staffOf(request).id)),
  );

  app.patch(
    '/staff/offices/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['routing'],
        summary: 'Rename an office, or close or reopen it to new complaints',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            nameUr: Type.Optional(Name),
            namePs: Type.Optional(Name),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: Office }),
      },
    },
    async (request) => routing.updateOffice(request.params.id, request.body, staffOf(request).id),
  );

  app.get(
    '/staff/routing-rules',
    {
      preHandler: admin,
      schema: {
        tags: ['routing'],
        summary: 'The routing table',
        querystring: Type.Object(
          { category: Type.Optional(Id), district: Type.Optional(Id) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ items: Type.Array(Rule) }) }),
      },
    },
    async (request) => ({
      items: await routing.rules({ categoryId: request.query.category, districtId: request.query.district }),
    }),
  );

  app.post(
    '/staff/routing-rules',
    {
      preHandler: admin,
      schema: {
        tags: ['routing'],
        summary: 'Send a category (in one district, or province-wide) to a department or a fixed office',
        body: Type.Object(
          {
            categoryId: Id,
            districtId: Type.Optional(OptionalId),
            departmentId: Id,
            officeId: Type.Optional(OptionalId),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: Rule }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const rule = await routing.createRule(
        {
          categoryId: b.categoryId,
          districtId: b.districtId ?? null,
          departmentId: b.departmentId,
          officeId: b.officeId ?? null,
        },
        staffOf(request).id,
      );
      return reply.status(201).send(rule);
    },
  );

  app.patch(
    '/staff/routing-rules/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['routing'],
        summary: 'Change a routing rule',
        params: IdParams,
        body: Type.Object(
          {
            categoryId: Type.Optional(Id),
            districtId: Type.Optional(OptionalId),
            departmentId: Type.Optional(Id),
            officeId: Type.Optional(OptionalId),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: Rule }),
      },
    },
    async (request) => routing.updateRule(request.params.id, request.body, staffOf(request).id),
  );

  app.delete(
    '/staff/routing-rules/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['routing'],
        summary: 'Remove a routing rule (the category then goes to its own department)',
        params: IdParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await routing.removeRule(request.params.id, staffOf(request).id);
      return reply.status(204).send(null);
    },
  );
};
