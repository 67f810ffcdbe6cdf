import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { parseJson } from '../../db/json.js';
import { AppError, forbidden } from '../../errors.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { Id, IdParams, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { policies } from '../complaints/policies.js';
import { KEYWORDS, SLA_DAYS } from './service.js';

const Names = { name: Type.String(), nameUr: Type.String(), namePs: Type.String() };
const DistrictSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  ...Names,
  division: Type.Object({ code: Type.String(), ...Names }),
  hq: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
});
const DepartmentSchema = Type.Object({ id: Type.Integer(), code: Type.String(), ...Names });
const CategorySchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  departmentId: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  ...Names,
  slaDays: Type.Integer(),
  keywords: Type.Array(Type.String()),
});

const StaffDepartment = Type.Object({ ...DepartmentSchema.properties, active: Type.Boolean() });
const StaffCategory = Type.Object({ ...CategorySchema.properties, active: Type.Boolean() });
const Code = Type.String({ minLength: 2, maxLength: 64 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const SlaDays = Type.Integer({ minimum: SLA_DAYS.min, maximum: SLA_DAYS.max });
const Keywords = Type.Array(Type.String({ maxLength: KEYWORDS.maxLength }), {
  maxItems: KEYWORDS.max,
  description: 'words citizens may search the category by, in any language or spelling',
});
const ParentId = Type.Union([Id, Type.Null()], { description: 'the group it sits in; null: top level' });

/**
 * Public reference data: the registration form and the complaint form read these before anyone logs in.
 * Admins edit departments and categories under /staff.
 */
export const geoRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const geo = services.geo;
  const { referenceData } = services;
  const adminGuard = guards.staffWith(['admin']);
  const admin = async (request: FastifyRequest) => {
    await adminGuard(request);
    if (!policies.canManageReferenceData(staffOf(request))) {
      throw forbidden('role', 'Your role does not allow this.');
    }
  };

  app.get(
    '/districts',
    {
      schema: {
        tags: ['reference'],
        summary: 'Districts with their division and headquarters',
        response: responses({ 200: Type.Array(DistrictSchema) }),
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return (await geo.listDistricts()).filter((d) => d.active);
    },
  );

  app.get(
    '/departments',
    {
      schema: {
        tags: ['reference'],
        summary: 'Departments',
        response: responses({ 200: Type.Array(DepartmentSchema) }),
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return (await geo.departments())
        .filter((d) => d.active === 1)
        .map((d) => ({ id: d.id, code: d.code, name: d.name, nameUr: d.name_ur, namePs: d.name_ps }));
    },
  );

  app.get(
    '/categories',
    {
      schema: {
        tags: ['reference'],
        summary: 'Complaint categories: groups (parentId null) and their leaves',
        response: responses({ 200: Type.Array(CategorySchema) }),
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return (await geo.categories())
        .filter((c) => c.active === 1)
        .map((c) => ({
          id: c.id,
          code: c.code,
          departmentId: c.department_id,
          parentId: c.parent_id,
          name: c.name,
          nameUr: c.name_ur,
          namePs: c.name_ps,
          slaDays: c.sla_days,
          keywords: parseJson<string[]>(c.keywords) ?? [],
        }));
    },
  );

  app.get(
    '/geo/locate',
    {
      schema: {
        tags: ['reference'],
        summary: 'The district of a GPS point',
        querystring: Type.Object({
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          lng: Type.Number({ minimum: -180, maximum: 180 }),
        }),
        response: responses({
          200: Type.Object({
            district: DistrictSchema,
            method: Type.Union([Type.Literal('boundary'), Type.Literal('nearest_hq')]),
            distanceKm: Type.Union([Type.Number(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => {
      const located = await geo.locate(request.query.lat, request.query.lng);
      if (!located) {
        throw new AppError(
          'invalid',
          'outside_territory',
          'This place is outside the areas the portal serves. Choose your district instead.',
          { lat: 'Outside the portal\u2019s territory.' },
        );
      }
      return { ...located, district: (await geo.district(located.districtId))! };
    },
  );
  app.get(
    '/staff/departments',
    {
      preHandler: admin,
      schema: {
        tags: ['reference'],
        summary: 'Every department, the inactive ones too (admins)',
        response: responses({ 200: Type.Object({ items: Type.Array(StaffDepartment) }) }),
      },
    },
    async () => ({ items: await referenceData.departments() }),
  );

  app.post(
    '/staff/departments',
    {
      preHandler: admin,
      schema: {
        tags: ['reference'],
        summary: 'Add a department',
        body: Type.Object(
          { code: Code, name: Name, nameUr: Name, namePs: Name, active: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: responses({ 201: StaffDepartment }),
      },
    },
    async (request, reply) =>
      reply.status(201).send(await referenceData.createDepartment(request.body, staffOf(request).id)),
  );

  app.patch(
    '/staff/departments/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['reference'],
        summary: 'Rename a department, or list or unlist it for citizens',
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
        response: responses({ 200: StaffDepartment }),
      },
    },
    async (request) => referenceData.updateDepartment(request.params.id, request.body, staffOf(request).id),
  );

  app.get(
    '/staff/categories',
    {
      preHandler: admin,
      schema: {
        tags: ['reference'],
        summary: 'Every complaint category, the inactive ones too (admins)',
        response: responses({ 200: Type.Object({ items: Type.Array(StaffCategory) }) }),
      },
    },
    async () => ({ items: await referenceData.categories() }),
  );

  app.post(
    '/staff/categories',
    {
      preHandler: admin,
      schema: {
        tags: ['reference'],
        summary: 'Add a complaint category, at the top or inside a group of its department',
        body: Type.Object(
          {
            code: Code,
            departmentId: Id,
            parentId: Type.Optional(ParentId),
            name: Name,
            nameUr: Name,
            namePs: Name,
            slaDays: SlaDays,
            keywords: Type.Optional(Keywords),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: StaffCategory }),
      },
    },
    async (request, reply) => {
      const category = await referenceData.createCategory(
        { ...request.body, parentId: request.body.parentId ?? null },
        staffOf(request).id,
      );
      return reply.status(201).send(category);
    },
  );

  app.patch(
    '/staff/categories/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['reference'],
        summary:
          'Change a category: names, department, group, SLA (for complaints filed from now on), or withdraw it',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            nameUr: Type.Optional(Name),
            namePs: Type.Optional(Name),
            departmentId: Type.Optional(Id),
            parentId: Type.Optional(ParentId),
            slaDays: Type.Optional(SlaDays),
            keywords: Type.Optional(Keywords),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: StaffCategory }),
      },
    },
    async (request) => referenceData.updateCategory(request.params.id, request.body, staffOf(request).id),
  );
};
