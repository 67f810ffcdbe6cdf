import { type TSchema, Type } from '@fastify/type-provider-typebox';

/** The one error shape every failure has. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      fields: Type.Optional(Type.Record(Type.String(), Type.String())),
      requestId: Type.Optional(Type.String()),
    }),
  },
  {
    $id: undefined,
    description: 'Every failure: a stable code, a message for a person, and per-field problems.',
  },
);

/** Response map with the error shape for 4xx and 5xx, so the OpenAPI document shows it on every route. */
export function responses<T extends Record<number, TSchema>>(ok: T) {
  return { ...ok, '4xx': ErrorResponse, '5xx': ErrorResponse };
}

export const Language = Type.Union([Type.Literal('en'), Type.Literal('ur'), Type.Literal('ps')]);
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const IdParams = Type.Object({ id: Id });
