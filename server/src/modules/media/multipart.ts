import type { Readable } from 'node:stream';
import '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MediaKind } from '../../db/schema.js';
import { AppError, invalid } from '../../errors.js';
import { largestLimit, type MediaLimits, type StagedMedia } from './pipeline.js';

/** What the form reader needs from the media service. */
export interface MediaStager {
  stage(stream: Readable, opts?: { allowed?: MediaKind[] }): Promise<StagedMedia>;
  discard(staged: readonly { key: string; thumbKey?: string | null }[]): Promise<void>;
}

export interface ReadMultipartOptions {
  media: MediaStager;
  limits: MediaLimits;
  /** The text fields the form may carry, each at most once. */
  fieldNames: string[];
  /** The field that carries files (repeatable). */
  fileField?: string;
  maxFieldBytes?: number;
  allowed?: MediaKind[];
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: StagedMedia[];
}

export const DEFAULT_FILE_FIELD = 'media';
export const DEFAULT_MAX_FIELD_BYTES = 10_000;

/** The plugin's global ceilings; each form narrows them in readMultipart. */
export function multipartPluginOptions(limits: MediaLimits) {
  return {
    limits: {
      fieldNameSize: 100,
      fieldSize: 64 * 1024,
      fields: 30,
      fileSize: largestLimit(limits) + 1,
      files: limits.maxFiles + 1,
      parts: limits.maxFiles + 31,
      headerPairs: 20,
    },
  };
}

/**
 * An onSend hook: a form refused before its end (a file too large, a wrong type) leaves the client still
 * sending, and Node would read and discard the rest of a 100 MB upload to keep the connection. Closing it
 * stops the phone's upload at once, as Fastify does for a refused body.
 */
export function closeUnreadUploads(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: null, payload: unknown) => void,
): void {
  if (isMultipart(request) && !request.raw.complete) reply.header('connection', 'close');
  done(null, payload);
}

export function isMultipart(request: FastifyRequest): boolean {
  return /^multipart\/form-data/i.test(request.headers['content-type'] ?? '');
}

/** The multipart plugin's and busboy's failures, in the portal's terms. */
function formError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'FST_FILES_LIMIT':
      return new AppError('too_large', 'too_many_files', 'Too many files in one request.');
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('too_large', 'too_many_parts', 'The form has too many parts.');
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('too_large', 'file_too_large', 'The file is too large.');
    case 'FST_PROTO_VIOLATION':
      return invalid('unknown_field', 'The form has a field that is not accepted here.');
    case 'FST_INVALID_JSON_FIELD_ERROR':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return invalid('malformed_body', 'The form could not be read.');
    case 'FST_MP_PREMATURE_CLOSE':
      return invalid('upload_aborted', 'The upload was interrupted. Please send it again.');
  }
  // busboy's own parse errors: "Malformed part header", "Unexpected end of form", ...
  const message = err instanceof Error ? err.message : '';
  if (/malformed|unexpected end|boundary|terminated early/i.test(message)) {
    return invalid('malformed_body', 'The form could not be read.');
  }
  return err;
}

/**
 * Reads a multipart form, handing each file to the media pipeline as it arrives (nothing is buffered whole).
 * Any failure (a refused type, a file too large, too many files, an unknown or repeated field, a client that
 * hangs up) removes every file already staged before the error goes on.
 */
export async function readMultipart(
  request: FastifyRequest,
  opts: ReadMultipartOptions,
): Promise<MultipartForm> {
  if (!isMultipart(request) || !request.isMultipart()) {
    throw new AppError(
      'unsupported_media',
      'unsupported_media_type',
      'Send the form as multipart/form-data.',
    );
  }
  const fileField = opts.fileField ?? DEFAULT_FILE_FIELD;
  const maxFiles = opts.limits.maxFiles;
  const fields: Record<string, string> = {};
  const files: StagedMedia[] = [];
  try {
    const parts = request.parts({
      limits: {
        fieldNameSize: 100,
        fieldSize: opts.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES,
        // One more field and file than allowed, so the extra one is refused by name below.
        fields: opts.fieldNames.length + 1,
        files: maxFiles + 1,
        fileSize: largestLimit(opts.limits) + 1,
        parts: opts.fieldNames.length + maxFiles + 2,
        headerPairs: 20,
      },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== fileField) {
          part.file.resume();
          throw invalid('unknown_field', `Files go in the "${fileField}" field.`, {
            [part.fieldname]: 'Is not a known field.',
          });
        }
        if (files.length >= maxFiles) {
          part.file.resume();
          throw new AppError('too_large', 'too_many_files', `At most ${maxFiles} files can be sent at once.`);
        }
        // Names and declared types are ignored: keys are generated and the type comes from the bytes.
        files.push(await opts.media.stage(part.file, { allowed: opts.allowed }));
        continue;
      }
      if (!opts.fieldNames.includes(part.fieldname)) {
        throw invalid('unknown_field', 'The form has a field that is not accepted here.', {
          [part.fieldname]: 'Is not a known field.',
        });
      }
      if (part.valueTruncated) {
        throw new AppError('too_large', 'field_too_large', 'A form field is too long.', {
          [part.fieldname]: 'Is too long.',
        });
      }
      if (Object.hasOwn(fields, part.fieldname)) {
        throw invalid('duplicate_field', 'A form field was sent twice.', {
          [part.fieldname]: 'Was sent more than once.',
        });
      }
      fields[part.fieldname] = String(part.value);
    }
  } catch (err) {
    await opts.media.discard(files);
    throw formError(err);
  }
  return { fields, files };
}
