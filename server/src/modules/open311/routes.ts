import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { Open311Error, type Params } from './service.js';
import { toXml } from './xml.js';

type Format = 'json' | 'xml';
const FORMAT_OF = /\.(json|xml)$/;

function formatOf(url: string): Format {
  return url.split('?')[0]!.endsWith('.xml') ? 'xml' : 'json';
}

/** Sends a list or object in the format the URL names; `root` is the XML document element. */
function send(reply: FastifyReply, format: Format, root: string, body: unknown, status = 200) {
  reply.status(status);
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(toXml(root, body));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function errors(reply: FastifyReply, format: Format, status: number, description: string) {
  return send(reply, format, 'errors', [{ code: status, description }], status);
}

/** attribute[code][]=a&attribute[code][]=b and repeated keys become lists; everything else stays a string. */
function parseForm(body: string): Params {
  const out: Params = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return out;
}

const Query = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));
const FileParams = Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9._-]{1,80}\\.(json|xml)$' }) });

/**
 * Open311 GeoReport v2 (and FixMyStreet's servicerequestupdates) under /open311/v2. It answers in JSON or
 * XML by the URL's extension, and fails with the spec's error list (`[{code, description}]`), not the
 * portal's error shape. Submissions are form-encoded as the spec has them (JSON is accepted too).
 */
export const open311Routes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const open311 = services.open311;
  const tags = ['open311'];

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => {
      try {
        done(null, parseForm(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const format = formatOf(request.url);
    if (error instanceof Open311Error) return errors(reply, format, error.status, error.message);
    if (error.validation) return errors(reply, format, 400, `Invalid request: ${error.message}`);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return errors(reply, format, 400, 'The request is too large.');
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return errors(reply, format, 400, 'Send application/x-www-form-urlencoded (or JSON).');
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return errors(reply, format, 400, 'The request is malformed.');
    request.log.error({ err: error }, 'unhandled error in open311');
    return errors(reply, format, 500, `Something went wrong on our side (request ${request.id}).`);
  });
  // A wildcard as well as the not-found handler: the web app's catch-all would otherwise answer first.
  const unknown = (request: FastifyRequest, reply: FastifyReply) =>
    errors(reply, formatOf(request.url), 404, 'No such resource.');
  app.setNotFoundHandler(unknown);
  app.all('/*', { schema: { hide: true } }, async (request, reply) => unknown(request, reply));

  for (const format of ['json', 'xml'] as const) {
    app.get(
      `/discovery.${format}`,
      { schema: { tags, summary: `Open311 discovery (${format})` } },
      async (_request, reply) => send(reply, format, 'discovery', open311.discovery()),
    );
    app.get(
      `/services.${format}`,
      { schema: { tags, summary: `Open311 service list: the categories (${format})` } },
      async (_request, reply) => send(reply, format, 'services', await open311.services()),
    );
    app.get(
      `/requests.${format}`,
      {
        schema: {
          tags,
          summary: `Open311 service requests (${format}): service_request_id, service_code, status, start_date, end_date`,
          querystring: Query,
        },
      },
      async (request, reply) =>
        send(reply, format, 'service_requests', await open311.requests(request.query as Params)),
    );
    app.post(
      `/requests.${format}`,
      {
        schema: {
          tags,
          summary: `File an Open311 service request (${format}); api_key required`,
          body: Type.Record(
            Type.String(),
            Type.Union([Type.String(), Type.Array(Type.String()), Type.Number()]),
          ),
        },
      },
      async (request, reply) => {
        const body = Object.fromEntries(
          Object.entries((request.body ?? {}) as Record<string, unknown>).map(([k, v]) => [
            k,
            typeof v === 'number' ? String(v) : (v as string | string[]),
          ]),
        );
        // A key in the query string is accepted too, as some clients send it there.
        const query = request.query as Params;
        const params = { ...body, api_key: body.api_key ?? query.api_key };
        return send(reply, format, 'service_requests', await open311.create(params), 201);
      },
    );
    app.get(
      `/servicerequestupdates.${format}`,
      {
        schema: {
          tags,
          summary: `Updates of service requests (FixMyStreet extension, ${format}): start_date, end_date, service_request_id`,
          querystring: Query,
        },
      },
      async (request, reply) =>
        send(reply, format, 'service_request_updates', await open311.updates(request.query as Params)),
    );
  }

  app.get(
    '/services/:file',
    {
      schema: {
        tags,
        summary: 'Open311 service definition: services/{service_code}.json|xml',
        params: FileParams,
      },
    },
    async (request, reply) => {
      const { file } = request.params;
      const format = formatOf(file);
      return send(reply, format, 'service_definition', await open311.definition(file.replace(FORMAT_OF, '')));
    },
  );
  app.get(
    '/requests/:file',
    { schema: { tags, summary: 'One Open311 service request: requests/{id}.json|xml', params: FileParams } },
    async (request, reply) => {
      const { file } = request.params;
      const format = formatOf(file);
      return send(reply, format, 'service_requests', await open311.request(file.replace(FORMAT_OF, '')));
    },
  );
};
