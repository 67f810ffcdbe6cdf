import { type FastifyPluginAsyncTypebox, type TSchema, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { Id, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { policies } from '../complaints/policies.js';
import { Named, Nullable, Status } from '../complaints/schemas.js';
import { csvOf } from './csv.js';
import { METRICS } from './service.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC), inclusive' });
const Latitude = Type.Number({ minimum: -90, maximum: 90, description: 'bounds of the map in view' });
const Longitude = Type.Number({ minimum: -180, maximum: 180, description: 'bounds of the map in view' });
const Format = Type.Optional(
  Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: the same table as CSV' }),
);

export const RangeFilters = {
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  department: Type.Optional(Id),
  district: Type.Optional(Id),
  office: Type.Optional(
    Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: '0: triage' }),
  ),
  category: Type.Optional(Id),
};

const Ratio = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
export const Figures = Type.Object({
  received: Type.Integer(),
  open: Nullable(Type.Integer({ description: 'now, whatever the dates' })),
  overdue: Nullable(Type.Integer({ description: 'open and past the due date now' })),
  resolved: Type.Integer(),
  reopened: Type.Integer(),
  closedSatisfied: Type.Integer(),
  closedNoFeedback: Type.Integer(),
  rejected: Type.Integer(),
  slaMet: Type.Integer(),
  slaMissed: Type.Integer(),
  slaCompliance: Ratio,
  satisfied: Type.Integer(),
  dissatisfied: Type.Integer(),
  satisfactionRate: Ratio,
  medianResolutionHours: Nullable(Type.Number()),
  p90ResolutionHours: Nullable(Type.Number()),
});

const Key = Type.Object({
  kind: Type.String(),
  id: Type.Integer(),
  code: Nullable(Type.String()),
  name: Type.String(),
});

export const Summary = Type.Object({
  from: Type.String(),
  to: Type.String(),
  scope: Type.String({ description: 'all, department or offices' }),
  figures: Figures,
});
export const Breakdown = Type.Object({
  from: Type.String(),
  to: Type.String(),
  by: Type.String(),
  rows: Type.Array(Type.Object({ key: Key, ...Figures.properties })),
});
export const Series = Type.Object({
  from: Type.String(),
  to: Type.String(),
  interval: Type.String(),
  points: Type.Array(Type.Object({ bucket: Type.String(), ...Figures.properties })),
});
export const League = Type.Object({
  from: Type.String(),
  to: Type.String(),
  by: Type.String(),
  formula: Type.String(),
  weights: Type.Object({ satisfaction: Type.Number(), timeliness: Type.Number() }),
  rows: Type.Array(
    Type.Object({
      rank: Nullable(Type.Integer()),
      key: Key,
      score: Nullable(Type.Number()),
      confirmedSatisfaction: Ratio,
      timeliness: Ratio,
      resolved: Type.Integer(),
      satisfied: Type.Integer(),
      dissatisfied: Type.Integer(),
      closedNoFeedback: Type.Integer(),
      slaMet: Type.Integer(),
      slaMissed: Type.Integer(),
    }),
  ),
});
export const Heatmap = Type.Object({
  from: Type.String(),
  to: Type.String(),
  cellDegrees: Type.Number(),
  cells: Type.Array(Type.Object({ lat: Type.Number(), lng: Type.Number(), count: Type.Integer() })),
});
const DrillItem = Type.Object({
  id: Type.Integer(),
  trackingNumber: Type.String(),
  status: Status,
  category: Named,
  department: Named,
  district: Named,
  office: Nullable(Named),
  createdAt: Type.String(),
  dueAt: Type.String(),
  resolvedAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  at: Nullable(Type.String()),
});

/** A JSON answer, or the same rows as CSV when `format=csv`. */
function answer(
  reply: FastifyReply,
  format: 'json' | 'csv' | undefined,
  name: string,
  body: unknown,
  rows: object[],
) {
  if (format !== 'csv') return body;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(csvOf(rows as Record<string, unknown>[], ['key.kind']));
}

const ok = (schema: TSchema) =>
  responses({ 200: schema }) as unknown as Record<string, TSchema> & { 200: TSchema };

/**
 * Performance dashboards for staff: figures, breakdowns, series, league tables, heat map and the
 * complaints behind any figure. Every table also comes as CSV (`format=csv`).
 */
export const dashboardRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const { dashboards } = services;
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    await guards.staff(request, reply);
    if (!policies.canViewDashboards(staffOf(request)))
      throw forbidden('role', 'Your role does not allow this.');
  };
  const tags = ['dashboards'];

  app.get(
    '/staff/dashboards/summary',
    {
      preHandler: guard,
      schema: {
        tags,
        summary: 'Every figure for the dates and filters, in the caller\u2019s scope',
        querystring: Type.Object({ ...RangeFilters, format: Format }, { additionalProperties: false }),
        response: ok(Summary),
      },
    },
    async (request, reply) => {
      const body = await dashboards.summary(staffOf(request), request.query);
      return answer(reply, request.query.format, 'summary', body, [
        { from: body.from, to: body.to, ...body.figures },
      ]);
    },
  );

  app.get(
    '/staff/dashboards/breakdown',
    {
      preHandler: guard,
      schema: {
        tags,
        summary: 'The figures per department, district, office, category or officer',
        querystring: Type.Object(
          {
            by: Type.Union([
              Type.Literal('department'),
              Type.Literal('district'),
              Type.Literal('office'),
              Type.Literal('category'),
              Type.Literal('officer'),
            ]),
            ...RangeFilters,
            format: Format,
          },
          { additionalProperties: false },
        ),
        response: ok(Breakdown),
      },
    },
    async (request, reply) => {
      const { by, format, ...q } = request.query;
      const body = await dashboards.breakdown(staffOf(request), by, q);
      return answer(reply, format, `breakdown-${by}`, body, body.rows);
    },
  );

  app.get(
    '/staff/dashboards/series',
    {
      preHandler: guard,
      schema: {
        tags,
        summary: 'The figures per day (up to a year), week or month',
        querystring: Type.Object(
          {
            interval: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
            ...RangeFilters,
            format: Format,
          },
          { additionalProperties: false },
        ),
        response: ok(Series),
      },
    },
    async (request, reply) => {
      const { interval, format, ...q } = request.query;
      const body = await dashboards.series(staffOf(request), interval, q);
      return answer(reply, format, `series-${interval}`, body, body.points);
    },
  );

  app.get(
    '/staff/dashboards/league',
    {
      preHandler: guard,
      schema: {
        tags,
        summary: 'Departments or districts ranked by a score of confirmed satisfaction and timeliness',
        querystring: Type.Object(
          {
            by: Type.Union([Type.Literal('department'), Type.Literal('district')]),
            ...RangeFilters,
            format: Format,
          },
          { additionalProperties: false },
        ),
        response: ok(League),
      },
    },
    async (request, reply) => {
      const { by, format, ...q } = request.query;
      const body = await dashboards.league(staffOf(request), by, q);
      return answer(reply, format, `league-${by}`, body, body.rows);
    },
  );

  app.get(
    '/staff/dashboards/heatmap',
    {
      preHandler: guard,
      schema: {
        tags,
        summary:
          'Complaints per map cell (filing dates in whole months): cells of 0.05 degrees, or of 0.25 when the bounds span more than 3.2 degrees (cellDegrees). A district narrows the map to its box, within the bounds when both are given',
        querystring: Type.Object(
          {
            ...RangeFilters,
            status: Type.Optional(Type.Array(Status, { maxItems: 7 })),
            minLat: Type.Optional(Latitude),
            minLng: Type.Optional(Longitude),
            maxLat: Type.Optional(Latitude),
            maxLng: Type.Optional(Longitude),
            format: Format,
          },
          { additionalProperties: false },
        ),
        response: ok(Heatmap),
      },
    },
    async (request, reply) => {
      const { format, ...q } = request.query;
      const body = await dashboards.heatmap(staffOf(request), q);
      return answer(reply, format, 'heatmap', body, body.cells);
    },
  );

  app.get(
    '/staff/dashboards/complaints',
    {
      preHandler: guard,
      schema: {
        tags,
        summary: 'The complaints behind a figure, newest first (drill-down); CSV up to 10,000 rows',
        querystring: Type.Object(
          {
            metric: Type.Union(METRICS.map((m) => Type.Literal(m))),
            ...RangeFilters,
            officer: Type.Optional(Id),
            cursor: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 10_000, description: 'JSON: at most 100' }),
            ),
            format: Format,
          },
          { additionalProperties: false },
        ),
        response: ok(Type.Object({ items: Type.Array(DrillItem), nextCursor: Nullable(Type.String()) })),
      },
    },
    async (request, reply) => {
      const { format, limit, ...q } = request.query;
      const size = Math.min(limit ?? 25, format === 'csv' ? 10_000 : 100);
      const body = await dashboards.complaints(staffOf(request), { ...q, limit: size });
      return answer(reply, format, `complaints-${q.metric}`, body, body.items);
    },
  );
};
