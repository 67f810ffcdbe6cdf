import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MediaModeration } from '../../db/schema.js';
import { notFound, unauthenticated } from '../../errors.js';
import { type AuthGuards, type Principal, type StaffPrincipal, staffOf } from '../../http/auth.js';
import { IdParams, responses } from '../../http/schemas.js';
import { type MediaService, type MediaVariant, RangeNotSatisfiable } from './service.js';

export const MediaItemSchema = Type.Object({
  id: Type.Integer(),
  complaintId: Type.Union([Type.Integer(), Type.Null()]),
  eventId: Type.Union([Type.Integer(), Type.Null()]),
  kind: Type.Union([Type.Literal('photo'), Type.Literal('audio'), Type.Literal('video')]),
  mime: Type.String(),
  bytes: Type.Integer(),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
  moderation: Type.Union([Type.Literal('ok'), Type.Literal('illegal'), Type.Literal('irrelevant')]),
  createdAt: Type.String(),
  url: Type.String(),
  thumbUrl: Type.Union([Type.String(), Type.Null()]),
});

const Moderation = Type.Object(
  {
    verdict: Type.Union([Type.Literal('illegal'), Type.Literal('irrelevant'), Type.Literal('ok')]),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const Binary = Type.Unsafe<unknown>({ type: 'string', format: 'binary' });

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'audio/aac': 'aac',
  'audio/mp4': 'm4a',
  'audio/amr': 'amr',
  'audio/ogg': 'ogg',
  'audio/ogg; codecs=opus': 'opus',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'video/3gpp2': '3g2',
  'video/webm': 'webm',
};

export interface MediaRoutesOptions {
  media: MediaService;
  guards: AuthGuards;
  /** Whether this person may open a file of this complaint with this moderation state (the policies module). */
  canOpen(principal: Principal, complaintId: number, moderation: MediaModeration): Promise<boolean>;
  canModerate(principal: StaffPrincipal, complaintId: number): Promise<boolean>;
}

/**
 * Files of complaints for those allowed to see them, streamed with Range support (phones' players seek),
 * and the moderators' verdicts. A file the caller may not open is answered 404, as if it did not exist.
 */
export const mediaRoutes: FastifyPluginAsyncTypebox<MediaRoutesOptions> = async (
  app,
  { media, guards, canOpen, canModerate },
) => {
  async function serve(request: FastifyRequest, reply: FastifyReply, id: number, variant: MediaVariant) {
    const principal = request.principal;
    if (!principal) throw unauthenticated();
    const item = await media.find(id);
    if (item.complaintId === null || !(await canOpen(principal, item.complaintId, item.moderation))) {
      throw notFound('The file');
    }
    let opened: Awaited<ReturnType<MediaService['open']>>;
    try {
      opened = await media.open(id, variant, variant === 'original' ? request.headers.range : undefined);
    } catch (err) {
      if (!(err instanceof RangeNotSatisfiable)) throw err;
      return reply
        .status(416)
        .header('content-range', `bytes */${err.size}`)
        .send({ error: { code: err.code, message: err.message } });
    }
    const name = `complaint-${item.complaintId}-media-${id}${variant === 'thumb' ? '-thumb' : ''}`;
    reply
      .header('content-type', opened.mime)
      .header('content-length', opened.bytes)
      .header('content-disposition', `inline; filename="${name}.${EXTENSIONS[opened.mime] ?? 'bin'}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private')
      .header('accept-ranges', variant === 'original' ? 'bytes' : 'none');
    if (opened.range) {
      const { start, end, size } = opened.range;
      reply.status(206).header('content-range', `bytes ${start}-${end}/${size}`);
    }
    return reply.send(opened.body);
  }

  const fileSchema = (summary: string) => ({
    tags: ['media'],
    summary,
    description:
      'Citizens open the files of their own complaints, staff those of complaints in their scope; files ' +
      'moderated as illegal or irrelevant only admins. Anything else is 404. Send `Range: bytes=N-M` to seek (206).',
    params: IdParams,
    response: responses({ 200: Binary, 206: Binary }),
  });

  app.get(
    '/media/:id',
    { preHandler: guards.any, schema: fileSchema('A complaint\u2019s file') },
    (request, reply) => serve(request, reply, request.params.id, 'original'),
  );
  app.get(
    '/media/:id/thumb',
    { preHandler: guards.any, schema: fileSchema('A photo\u2019s thumbnail (about 320 px)') },
    (request, reply) => serve(request, reply, request.params.id, 'thumb'),
  );

  app.post(
    '/staff/media/:id/moderation',
    {
      preHandler: guards.staff,
      schema: {
        tags: ['media'],
        summary: 'Hide a file as illegal or irrelevant, or show it again (ok)',
        params: IdParams,
        body: Moderation,
        response: responses({ 200: MediaItemSchema }),
      },
    },
    async (request) => {
      const staff = staffOf(request);
      const item = await media.find(request.params.id);
      if (item.complaintId === null || !(await canModerate(staff, item.complaintId)))
        throw notFound('The file');
      return media.moderateNow(request.params.id, {
        staffId: staff.id,
        verdict: request.body.verdict,
        reason: request.body.reason ?? '',
      });
    },
  );
};
