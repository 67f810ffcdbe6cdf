import { Type } from '@fastify/type-provider-typebox';

// The complaint's shapes as the API answers them, shared by the citizen's and the staff routes.

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

export const Named = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  nameUr: Type.String(),
  namePs: Type.String(),
});

export const Status = Type.Union([
  Type.Literal('submitted'),
  Type.Literal('assigned'),
  Type.Literal('in_progress'),
  Type.Literal('resolved'),
  Type.Literal('closed'),
  Type.Literal('reopened'),
  Type.Literal('rejected'),
]);

export const Complaint = Type.Object({
  id: Type.Integer(),
  trackingNumber: Type.String(),
  status: Status,
  source: Type.String(),
  category: Type.Object({ ...Named.properties, slaDays: Type.Integer() }),
  department: Named,
  district: Named,
  office: Nullable(Named),
  description: Type.String(),
  address: Nullable(Type.String()),
  location: Nullable(
    Type.Object({ lat: Type.Number(), lng: Type.Number(), accuracyM: Nullable(Type.Number()) }),
  ),
  dueAt: Type.String(),
  overdue: Type.Boolean(),
  escalationLevel: Type.Integer(),
  reopenCount: Type.Integer(),
  supportCount: Type.Integer(),
  mediaCount: Type.Integer(),
  resolvedAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  closeReason: Nullable(Type.String()),
  rejectionReason: Nullable(Type.String()),
  mergedIntoId: Nullable(Type.Integer()),
  feedback: Nullable(
    Type.Object({
      satisfied: Type.Boolean(),
      rating: Nullable(Type.Integer()),
      comment: Nullable(Type.String()),
      at: Type.String(),
    }),
  ),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const TimelineEntry = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  actor: Type.String(),
  fromStatus: Nullable(Type.String()),
  status: Nullable(Type.String()),
  office: Nullable(Named),
  message: Nullable(Type.String()),
  internal: Type.Boolean(),
  data: Nullable(Type.Record(Type.String(), Type.Unknown())),
  createdAt: Type.String(),
});

export const MediaSummary = Type.Object(
  {
    id: Type.Integer(),
    kind: Type.String(),
    mime: Type.String(),
    url: Type.String(),
    thumbUrl: Nullable(Type.String()),
  },
  { additionalProperties: true },
);
