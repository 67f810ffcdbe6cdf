import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { parseJson } from '../../db/json.js';
import { AppError } from '../../errors.js';
import { responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';

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

/** Public reference data: the registration form and the complaint form read these before anyone logs in. */
export const geoRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const geo = services.geo;

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
};
