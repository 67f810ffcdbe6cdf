import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorKind } from '../errors.js';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  rate_limited: 429,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string>; requestId?: string };
}

function send(reply: FastifyReply, status: number, body: ErrorBody['error']) {
  return reply.status(status).type('application/json; charset=utf-8').send({ error: body });
}

/** Turns ajv's errors into one message per field, named by its path (body.cnic, query.limit). */
function validationFields(error: FastifyError): Record<string, string> {
  const fields: Record<string, string> = {};
  const context = error.validationContext ?? 'body';
  for (const v of error.validation ?? []) {
    let field = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (v.keyword === 'required')
      field = [field, (v.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
    if (v.keyword === 'additionalProperties')
      field = [field, (v.params as { additionalProperty: string }).additionalProperty]
        .filter(Boolean)
        .join('.');
    const key = field || context;
    if (fields[key]) continue;
    fields[key] = humanMessage(v.keyword, v.params as Record<string, unknown>, v.message);
  }
  return fields;
}

function humanMessage(keyword: string, params: Record<string, unknown>, fallback?: string): string {
  switch (keyword) {
    case 'required':
      return 'This field is required.';
    case 'maxLength':
      return `Must be at most ${params.limit} characters.`;
    case 'minLength':
      return params.limit === 1 ? 'Must not be empty.' : `Must be at least ${params.limit} characters.`;
    case 'type':
      return `Must be ${params.type === 'integer' ? 'a whole number' : `a ${params.type}`}.`;
    case 'enum':
      return `Must be one of: ${(params.allowedValues as unknown[]).join(', ')}.`;
    case 'additionalProperties':
      return 'Is not a known field.';
    case 'format':
      return `Must be a valid ${params.format}.`;
    case 'pattern':
      return 'Has an invalid format.';
    case 'minimum':
    case 'maximum':
      return `Must be ${keyword === 'minimum' ? 'at least' : 'at most'} ${params.limit}.`;
    default:
      return fallback ?? 'Is invalid.';
  }
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.retryAfterSeconds) reply.header('retry-after', String(Math.ceil(error.retryAfterSeconds)));
      return send(reply, STATUS[error.kind], {
        code: error.code,
        message: error.message,
        fields: error.fields,
      });
    }
    if (error.validation) {
      const fields = validationFields(error);
      return send(reply, 400, {
        code: 'validation_failed',
        message: 'Some fields are missing or invalid.',
        fields,
      });
    }
    const status = error.statusCode ?? 500;
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
      case 'FST_REQ_FILE_TOO_LARGE':
      case 'FST_FILES_LIMIT':
      case 'FST_PARTS_LIMIT':
        return send(reply, 413, { code: 'too_large', message: 'The request is too large.' });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, 415, {
          code: 'unsupported_media_type',
          message: `Content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted here.`,
        });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(reply, 400, { code: 'malformed_body', message: 'The request body is empty.' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return send(reply, 400, { code: 'malformed_body', message: 'The request body length is wrong.' });
    }
    if (status === 429) {
      return send(reply, 429, {
        code: 'rate_limited',
        message: 'Too many requests. Please wait and try again.',
      });
    }
    if (status === 400 && (error instanceof SyntaxError || /JSON/i.test(error.message))) {
      return send(reply, 400, { code: 'malformed_body', message: 'The request body is not valid JSON.' });
    }
    if (status >= 400 && status < 500) {
      return send(reply, status, { code: 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, 500, {
      code: 'internal',
      message: 'Something went wrong on our side. Quote the request id if you report it.',
      requestId: String(request.id),
    });
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, {
      code: 'not_found',
      message: `No route for ${request.method} ${request.url.split('?')[0]}.`,
    }),
  );
}
