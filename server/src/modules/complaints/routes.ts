import { type FastifyPluginAsyncTypebox, type Static, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AuthGuards } from '../../http/auth.js';
import { citizenOf } from '../../http/auth.js';
import { IdParams, responses } from '../../http/schemas.js';
import { validateFormFields } from '../../http/validation.js';
import type { Services } from '../../services.js';
import { isMultipart } from '../media/multipart.js';
import { Complaint, MediaSummary, Named, Status, TimelineEntry } from './schemas.js';
import type { StagedFile } from './service.js';

const NewComplaint = Type.Object(
  {
    category: Type.Integer({ minimum: 1, description: 'A category id from GET /api/v1/categories' }),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    accuracy: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100_000, description: 'GPS accuracy in metres' }),
    ),
    district: Type.Optional(Type.Integer({ minimum: 1, description: 'Needed only without lat/lng' })),
    address: Type.Optional(Type.String({ maxLength: 500 })),
    consent: Type.Boolean({ description: 'The citizen accepted the acceptable-use warning' }),
  },
  { additionalProperties: false },
);

const Submitted = Type.Object({
  id: Type.Integer(),
  trackingNumber: Type.String(),
  status: Status,
  district: Named,
  department: Named,
  office: Type.Union([Named, Type.Null()]),
  dueAt: Type.String(),
});

const ComplaintDetail = Type.Object({
  ...Complaint.properties,
  timeline: Type.Array(TimelineEntry),
  media: Type.Array(MediaSummary),
  canGiveFeedback: Type.Boolean(),
});

const Cursor = Type.String({ maxLength: 40 });

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ maxLength: 200, description: 'A retry with the same key returns the first answer' }),
  ),
});

/** Submissions per citizen (or address) a minute: a person files a few, a script floods. */
const submitLimit = {
  rateLimit: {
    max: 30,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) =>
      request.headers.authorization ?? request.cookies?.cp_session ?? request.ip,
  },
};

export const complaintsRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const { complaints, media } = services;
  await media.acceptForms(app);

  /** The complaint's fields from JSON, or from a multipart form whose files are staged as they stream. */
  async function readSubmission(
    request: FastifyRequest,
  ): Promise<{ input: Static<typeof NewComplaint>; staged: StagedFile[] }> {
    if (!isMultipart(request)) return { input: request.body as Static<typeof NewComplaint>, staged: [] };
    const form = await media.readForm(request, { fieldNames: Object.keys(NewComplaint.properties) });
    try {
      return { input: validateFormFields(NewComplaint, form.fields), staged: form.files };
    } catch (err) {
      await media.discard(form.files);
      throw err;
    }
  }

  app.post(
    '/complaints',
    {
      preHandler: guards.citizen,
      config: submitLimit,
      schema: {
        tags: ['complaints'],
        summary: 'File a complaint',
        description:
          'JSON without media, or multipart/form-data with the same fields and files in `media` (repeatable): ' +
          'photos (JPEG, PNG, WebP), audio (AAC/M4A, AMR, 3GP, Opus/Ogg, WebM, MP3), video (MP4, 3GP, WebM). ' +
          'With lat/lng the district comes from the point; without, give district and address. ' +
          'An Idempotency-Key makes retries safe.',
        headers: IdempotencyHeaders,
        body: { content: { 'application/json': { schema: NewComplaint } } },
        response: responses({ 201: Submitted }),
      },
    },
    async (request, reply) => {
      const citizen = citizenOf(request);
      const { input, staged } = await readSubmission(request);
      const result = await complaints.submit(citizen.id, input, {
        idempotencyKey: request.headers['idempotency-key'],
        staged,
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    '/complaints',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['complaints'],
        summary: 'The citizen\u2019s own complaints, newest first',
        querystring: Type.Object(
          {
            cursor: Type.Optional(Cursor),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            status: Type.Optional(Type.Array(Status, { maxItems: 7 })),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(Complaint),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => complaints.listOwn(citizenOf(request).id, request.query),
  );

  app.get(
    '/complaints/nearby',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['complaints'],
        summary: 'Open complaints of the same category near a point, to support instead of filing again',
        querystring: Type.Object(
          {
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            lng: Type.Number({ minimum: -180, maximum: 180 }),
            category: Type.Integer({ minimum: 1 }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                trackingNumber: Type.String(),
                category: Named,
                status: Status,
                distanceM: Type.Integer(),
                supportCount: Type.Integer(),
                createdAt: Type.String(),
              }),
            ),
          }),
        }),
      },
    },
    async (request) => ({ items: await complaints.nearby(request.query) }),
  );

  app.get(
    '/complaints/:id',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['complaints'],
        summary: 'One of the citizen\u2019s complaints with its media and public timeline',
        params: IdParams,
        response: responses({ 200: ComplaintDetail }),
      },
    },
    async (request) => complaints.detailForCitizen(citizenOf(request).id, request.params.id),
  );

  app.post(
    '/complaints/:id/support',
    {
      preHandler: guards.citizen,
      config: submitLimit,
      schema: {
        tags: ['complaints'],
        summary: 'Support an open complaint instead of filing the same one again',
        params: IdParams,
        response: responses({
          200: Type.Object({ supported: Type.Boolean(), supportCount: Type.Integer() }),
        }),
      },
    },
    async (request) => complaints.support(citizenOf(request).id, request.params.id),
  );

  app.post(
    '/complaints/:id/feedback',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['complaints'],
        summary: 'Confirm a resolution (closes it) or say it is not solved (reopens it, escalated)',
        params: IdParams,
        body: Type.Object(
          {
            satisfied: Type.Boolean(),
            rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
            comment: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ status: Status, escalationLevel: Type.Integer() }) }),
      },
    },
    async (request) => {
      const { after } = await complaints.feedback(citizenOf(request).id, request.params.id, request.body);
      return { status: after.status, escalationLevel: after.escalation_level };
    },
  );

  const CitizenMessage = Type.Object(
    { message: Type.String({ minLength: 1, maxLength: 4000 }) },
    { additionalProperties: false },
  );

  app.post(
    '/complaints/:id/messages',
    {
      preHandler: guards.citizen,
      config: submitLimit,
      schema: {
        tags: ['complaints'],
        summary: 'Answer the office from the Message Box, with text and optionally media (multipart `media`)',
        params: IdParams,
        body: { content: { 'application/json': { schema: CitizenMessage } } },
        response: responses({ 201: TimelineEntry }),
      },
    },
    async (request, reply) => {
      let message: string;
      let staged: StagedFile[] = [];
      if (isMultipart(request)) {
        const form = await media.readForm(request, { fieldNames: ['message'] });
        staged = form.files;
        try {
          message = validateFormFields<Static<typeof CitizenMessage>>(CitizenMessage, form.fields).message;
        } catch (err) {
          await media.discard(staged);
          throw err;
        }
      } else {
        message = (request.body as Static<typeof CitizenMessage>).message;
      }
      const { event } = await complaints.citizenReply(
        citizenOf(request).id,
        request.params.id,
        message,
        staged,
      );
      return reply.status(201).send({
        id: event.id,
        type: event.type,
        actor: event.actor_type,
        fromStatus: event.from_status,
        status: event.to_status,
        office: null,
        message: event.message,
        internal: false,
        data: null,
        createdAt: event.created_at,
      });
    },
  );
};
