import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// Bodies are checked strictly: a number where a string belongs is an error, not silently converted.
// Query strings, params and headers arrive as text, so they are coerced to the declared types.
const common: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };
const strictAjv = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
const coercingAjv = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strictAjv : coercingAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/**
 * Checks text fields that arrived outside Fastify's body validation (multipart forms) against the route's
 * schema, coercing "12.5" to 12.5; a failure reaches the error handler exactly like a body error.
 */
export function validateFormFields<T>(schema: object, fields: Record<string, unknown>): T {
  let validate = formValidators.get(schema);
  if (!validate) {
    validate = coercingAjv.compile(schema);
    formValidators.set(schema, validate);
  }
  const data = { ...fields };
  if (!validate(data)) {
    const err = new Error('body validation failed') as Error & {
      validation: unknown;
      validationContext: string;
      statusCode: number;
    };
    err.validation = validate.errors;
    err.validationContext = 'body';
    err.statusCode = 400;
    throw err;
  }
  return data as T;
}

const formValidators = new WeakMap<object, ReturnType<typeof coercingAjv.compile>>();
