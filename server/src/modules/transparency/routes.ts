import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { Id, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { policies } from '../complaints/policies.js';
import { Nullable, Status } from '../complaints/schemas.js';
import { Breakdown, Figures, League } from '../dashboards/routes.js';
import { MAP_SCRIPT, renderPublicPage } from './page.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Range = { from: Type.Optional(Day), to: Type.Optional(Day) };
const Setting = Type.Object({
  enabled: Type.Boolean(),
  updatedAt: Nullable(Type.String()),
  updatedBy: Nullable(Type.Integer()),
});

/** The public JSON API under /api/v1/public (no login) and the admins' switch. */
export const transparencyRoutes: FastifyPluginAsyncTypebox<{
  services: Services;
  guards: AuthGuards;
}> = async (app, { services, guards }) => {
  const { transparency } = services;
  const tags = ['public'];

  app.get(
    '/public/figures',
    {
      schema: {
        tags,
        summary:
          'The province\u2019s, each district\u2019s and each department\u2019s figures, and the league tables',
        querystring: Type.Object(Range, { additionalProperties: false }),
        response: responses({
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            province: Figures,
            districts: Breakdown.properties.rows,
            departments: Breakdown.properties.rows,
            league: Type.Object({
              formula: Type.String(),
              departments: League.properties.rows,
              districts: League.properties.rows,
            }),
          }),
        }),
      },
    },
    async (request) => transparency.figures(request.query),
  );

  app.get(
    '/public/map',
    {
      schema: {
        tags,
        summary: 'Recent complaints for the map: category, status, dates, place rounded to about 100 m',
        querystring: Type.Object(
          {
            days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
            district: Type.Optional(Id),
            category: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Array(
            Type.Object(
              {
                lat: Type.Number(),
                lng: Type.Number(),
                category: Nullable(Type.Object({ code: Type.String(), name: Type.String() })),
                status: Status,
                filedOn: Type.String(),
                updatedOn: Type.String(),
              },
              { additionalProperties: false },
            ),
          ),
        }),
      },
    },
    async (request) => transparency.map(request.query),
  );

  app.get(
    '/public/districts',
    {
      schema: {
        tags,
        summary: 'Districts with their bounding boxes, for drawing the map',
        response: responses({
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              code: Type.String(),
              name: Type.String(),
              box: Type.Object({
                minLat: Type.Number(),
                minLng: Type.Number(),
                maxLat: Type.Number(),
                maxLng: Type.Number(),
              }),
            }),
          ),
        }),
      },
    },
    async () => transparency.districts(),
  );

  const admin = async (request: FastifyRequest, reply: FastifyReply) => {
    await guards.staff(request, reply);
    if (!policies.canManagePublicPage(staffOf(request)))
      throw forbidden('role', 'Your role does not allow this.');
  };
  app.get(
    '/staff/settings/public-page',
    {
      preHandler: admin,
      schema: { tags, summary: 'Whether the public page is on', response: responses({ 200: Setting }) },
    },
    async () => transparency.setting(),
  );
  app.put(
    '/staff/settings/public-page',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Switch the public page and its API on or off (audited)',
        body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
        response: responses({ 200: Setting }),
      },
    },
    async (request) => transparency.setEnabled(request.body.enabled, staffOf(request)),
  );
};

/** /public: the page itself, server-rendered, and its small map script. */
export const publicPageRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get('/public', { schema: { hide: true } }, async (_request, reply) => {
    const data = await services.transparency.figures({});
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'public, max-age=60')
      .send(renderPublicPage(data));
  });
  app.get('/public/map.js', { schema: { hide: true } }, async (_request, reply) => {
    if (!(await services.transparency.enabled())) return reply.callNotFound();
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(MAP_SCRIPT);
  });
};
