import { type FastifyPluginAsyncTypebox, type Static, Type } from '@fastify/type-provider-typebox';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { Id, IdParams, responses } from '../../http/schemas.js';
import { validateFormFields } from '../../http/validation.js';
import type { Services } from '../../services.js';
import { Complaint, MediaSummary, Named, Nullable, Status, TimelineEntry } from '../complaints/schemas.js';
import type { StagedFile } from '../complaints/service.js';
import { isMultipart } from '../media/multipart.js';
import { ACTIONS, type ActionInput, REJECT_REASONS } from './service.js';

const Counts = Type.Object({
  submitted: Type.Integer(),
  assigned: Type.Integer(),
  in_progress: Type.Integer(),
  resolved: Type.Integer(),
  closed: Type.Integer(),
  reopened: Type.Integer(),
  rejected: Type.Integer(),
});
const DateOrTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
  description: 'A date (a whole UTC day) or an ISO date-time',
});

const QueueItem = Type.Object({
  id: Type.Integer(),
  trackingNumber: Type.String(),
  status: Status,
  category: Named,
  district: Named,
  office: Nullable(Named),
  dueAt: Type.String(),
  overdue: Type.Boolean(),
  escalationLevel: Type.Integer(),
  supportCount: Type.Integer(),
  mediaCount: Type.Integer(),
  createdAt: Type.String(),
  excerpt: Type.String(),
});

const StaffComplaint = Type.Object({
  ...Complaint.properties,
  sourceName: Nullable(Type.String({ description: 'The Open311 client (API key name) that filed it' })),
  complainant: Nullable(Type.Object({ id: Type.Integer(), name: Type.String(), mobile: Type.String() })),
  reporter: Nullable(
    Type.Object(
      { name: Nullable(Type.String()), email: Nullable(Type.String()), phone: Nullable(Type.String()) },
      { description: 'The contact an Open311 client gave for its reporter: staff in scope only' },
    ),
  ),
  timeline: Type.Array(TimelineEntry),
  media: Type.Array(MediaSummary),

  duplicates: Type.Array(
    Type.Object({
      id: Type.Integer(),
      trackingNumber: Type.String(),
      status: Status,
      distanceM: Type.Integer(),
      supportCount: Type.Integer(),
      office: Nullable(Named),
      createdAt: Type.String(),
    }),
  ),
  forwarding: Type.Array(
    Type.Object({
      eventId: Type.Integer(),
      at: Type.String(),
      actor: Type.String(),
      from: Nullable(Named),
      to: Nullable(Named),
      reason: Nullable(Type.String()),
    }),
  ),
});

// One object for every action; which fields each type needs is the service's rule, with a message per field.
const Action = Type.Object(
  {
    type: Type.Union(ACTIONS.map((a) => Type.Literal(a))),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: `forward: why it goes elsewhere; reject: one of ${REJECT_REASONS.join(', ')}`,
      }),
    ),
    officeId: Type.Optional(Id),
    departmentId: Type.Optional(Id),
    duplicateOf: Type.Optional(Id),
    into: Type.Optional(Id),
  },
  { additionalProperties: false },
);

/** The officers' console: the queue of complaints in scope, one complaint's file, and actions on it. */
export const caseworkRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  const { casework, media } = services;
  await media.acceptForms(app);

  app.get(
    '/staff/complaints',
    {
      preHandler: guards.staff,
      schema: {
        tags: ['casework'],
        summary: 'The complaints the caller covers, newest first, with counts per status',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Array(Status, { maxItems: 7 })),
            category: Type.Optional(Id),
            district: Type.Optional(Id),
            office: Type.Optional(Id),
            from: Type.Optional(DateOrTime),
            to: Type.Optional(DateOrTime),
            overdue: Type.Optional(Type.Boolean()),
            escalated: Type.Optional(Type.Boolean()),
            triage: Type.Optional(Type.Boolean({ description: 'The provincial triage queue (admins)' })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            cursor: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
          },
          { additionalProperties: false },
        ),
        response: responses({
          200: Type.Object({
            items: Type.Array(QueueItem),
            nextCursor: Nullable(Type.String()),
            counts: Counts,
          }),
        }),
      },
    },
    async (request) => casework.queue(staffOf(request), request.query),
  );

  app.get(
    '/staff/complaints/:id',
    {
      preHandler: guards.staff,
      schema: {
        tags: ['casework'],
        summary:
          'A complaint with its complainant, full timeline, media, possible duplicates and office hops',
        params: IdParams,
        response: responses({ 200: StaffComplaint }),
      },
    },
    async (request) => casework.detail(staffOf(request), request.params.id),
  );

  app.post(
    '/staff/complaints/:id/actions',
    {
      preHandler: guards.staff,
      schema: {
        tags: ['casework'],
        summary:
          'start, forward, resolve (with evidence photos as multipart `media`), reject, note, reply or merge',
        params: IdParams,
        body: { content: { 'application/json': { schema: Action } } },
        response: responses({ 200: Type.Object({ status: Status, event: TimelineEntry }) }),
      },
    },
    async (request) => {
      let input: ActionInput;
      let staged: StagedFile[] = [];
      if (isMultipart(request)) {
        // Only a resolution carries files, and only photos: anything else is refused while it streams.
        const form = await media.readForm(request, {
          fieldNames: Object.keys(Action.properties),
          allowed: ['photo'],
        });
        staged = form.files;
        try {
          input = validateFormFields<Static<typeof Action>>(Action, form.fields);
        } catch (err) {
          await media.discard(staged);
          throw err;
        }
      } else {
        input = request.body as Static<typeof Action>;
      }
      return casework.act(staffOf(request), request.params.id, input, staged);
    },
  );
};
