import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.js';
import { type AuthGuards, citizenOf, staffOf } from '../../http/auth.js';
import { Id, IdParams, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { Instant, LocalizedInput, LocalizedOutput } from '../announcements/routes.js';
import { policies } from '../complaints/policies.js';

const Kind = Type.Union([Type.Literal('single'), Type.Literal('multiple')]);
const Visibility = Type.Union([Type.Literal('live'), Type.Literal('after_close')]);
const State = Type.Union([Type.Literal('scheduled'), Type.Literal('open'), Type.Literal('closed')]);
const Cursor = Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' }));

const OptionResult = Type.Object({ optionId: Type.Integer(), votes: Type.Integer(), percent: Type.Number() });
const Results = Type.Object(
  {
    voters: Type.Integer(),
    options: Type.Array(OptionResult),
    districts: Type.Array(
      Type.Object({
        districtId: Type.Union([Type.Integer(), Type.Null()], { description: 'null: the "other" row' }),
        code: Type.String(),
        name: Type.String(),
        voters: Type.Integer(),
        options: Type.Array(OptionResult),
      }),
      { description: 'districts with fewer than 10 voters are summed into one "other" row' },
    ),
  },
  { description: 'counts only: no route tells who voted what' },
);

const citizenPollFields = {
  id: Type.Integer(),
  question: Type.String(),
  kind: Kind,
  options: Type.Array(Type.Object({ id: Type.Integer(), label: Type.String() })),
  opensAt: Type.String(),
  closesAt: Type.String(),
  state: State,
  voted: Type.Boolean(),
  canVote: Type.Boolean(),
  resultsVisible: Type.Boolean(),
};
const CitizenPoll = Type.Object(citizenPollFields);

const staffPollFields = {
  id: Type.Integer(),
  question: LocalizedOutput,
  kind: Kind,
  options: Type.Array(Type.Object({ id: Type.Integer(), label: LocalizedOutput })),
  districtIds: Type.Union([Type.Array(Type.Integer()), Type.Null()]),
  opensAt: Type.String(),
  closesAt: Type.String(),
  results: Visibility,
  state: State,
  voters: Type.Integer(),
  createdBy: Type.Integer(),
  createdAt: Type.String(),
};
const StaffPoll = Type.Object(staffPollFields);
const StaffPollWithResults = Type.Object({ ...staffPollFields, results: Results });

export const pollsRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const { polls } = services;
  const adminGuard = guards.staffWith(['admin']);
  const admin = async (request: FastifyRequest) => {
    await adminGuard(request);
    if (!policies.canManagePolls(staffOf(request))) throw forbidden('role', 'Your role does not allow this.');
  };

  app.get(
    '/polls',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['polls'],
        summary: "Polls for the citizen's district: open ones and those closed in the last 30 days",
        response: responses({ 200: Type.Object({ items: Type.Array(CitizenPoll) }) }),
      },
    },
    async (request) => polls.forCitizen(citizenOf(request).id),
  );

  app.get(
    '/polls/:id',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['polls'],
        summary: 'One poll, with its results when they are shown (live, or after closing)',
        params: IdParams,
        response: responses({
          200: Type.Object({ ...citizenPollFields, results: Type.Union([Results, Type.Null()]) }),
        }),
      },
    },
    async (request) => polls.citizenGet(citizenOf(request).id, request.params.id),
  );

  app.post(
    '/polls/:id/votes',
    {
      preHandler: guards.citizen,
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['polls'],
        summary:
          'Vote once: 409 already_voted or poll_closed, 403 not_in_target or not_verified, 400 for a bad choice',
        params: IdParams,
        body: Type.Object(
          { optionIds: Type.Array(Id, { minItems: 1, maxItems: 50 }) },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ voted: Type.Literal(true) }) }),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await polls.vote(citizenOf(request).id, request.params.id, request.body.optionIds)),
  );

  app.get(
    '/staff/polls',
    {
      preHandler: admin,
      schema: {
        tags: ['polls'],
        summary: 'Every poll, newest first',
        querystring: Type.Object(
          { cursor: Cursor, limit: Type.Integer({ minimum: 1, maximum: 100, default: 30 }) },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(StaffPoll),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) =>
      polls.staffList({
        cursor: request.query.cursor === undefined ? undefined : Number(request.query.cursor),
        limit: request.query.limit,
      }),
  );

  app.post(
    '/staff/polls',
    {
      preHandler: admin,
      schema: {
        tags: ['polls'],
        summary: 'Create a poll',
        body: Type.Object(
          {
            question: LocalizedInput(500),
            kind: Kind,
            options: Type.Array(
              Type.Object({ label: LocalizedInput(200) }, { additionalProperties: false }),
              {
                minItems: 2,
                maxItems: 20,
              },
            ),
            districtIds: Type.Optional(
              Type.Union([Type.Array(Id, { minItems: 1, maxItems: 200 }), Type.Null()], {
                description: 'null or absent: the whole province',
              }),
            ),
            opensAt: Type.Optional(Instant),
            closesAt: Instant,
            results: Visibility,
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: StaffPoll }),
      },
    },
    async (request, reply) => reply.status(201).send(await polls.create(request.body, staffOf(request).id)),
  );

  app.get(
    '/staff/polls/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['polls'],
        summary: 'One poll with its results (admins see them while it is open)',
        params: IdParams,
        response: responses({ 200: StaffPollWithResults }),
      },
    },
    async (request) => polls.staffGet(request.params.id),
  );

  app.post(
    '/staff/polls/:id/close',
    {
      preHandler: admin,
      schema: {
        tags: ['polls'],
        summary: 'Close a poll now',
        params: IdParams,
        response: responses({ 200: StaffPollWithResults }),
      },
    },
    async (request) => polls.close(request.params.id, staffOf(request).id),
  );

  app.get(
    '/staff/polls/:id/results.csv',
    {
      preHandler: admin,
      schema: {
        tags: ['polls'],
        summary:
          'The aggregate results as CSV: per option overall and per district (small districts as other)',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const csv = await polls.resultsCsv(request.params.id);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="poll-${request.params.id}-results.csv"`)
        .send(csv);
    },
  );
};
