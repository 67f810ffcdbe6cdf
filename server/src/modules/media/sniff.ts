import { fileTypeFromBuffer } from 'file-type';
import type { MediaKind } from '../../db/schema.js';
import { AppError } from '../../errors.js';

/** What the bytes say a file is; names and declared types are never asked. */
export interface Sniffed {
  kind: MediaKind;
  /** As served back: the registered type where file-type reports a vendor one. */
  mime: string;
  ext: string;
}

/** file-type reads at most this much of the head for the formats accepted here. */
export const SNIFF_BYTES = 4100;

/** An MP3's ID3 tag may come first; the sniffer looks past it, up to this much. */
const MAX_HEAD_BYTES = 1024 * 1024;

/** Bytes of the head to collect before sniffing, decided from its first 10 bytes. */
export function headBytesNeeded(first: Uint8Array): number {
  if (first.length >= 10 && first[0] === 0x49 && first[1] === 0x44 && first[2] === 0x33) {
    // ID3v2 size: four 7-bit bytes, plus 10 for the header and 10 for an optional footer.
    const size =
      ((first[6]! & 0x7f) << 21) |
      ((first[7]! & 0x7f) << 14) |
      ((first[8]! & 0x7f) << 7) |
      (first[9]! & 0x7f);
    return Math.min(20 + size + SNIFF_BYTES, MAX_HEAD_BYTES);
  }
  return SNIFF_BYTES;
}

const ACCEPTED: Record<string, { kind: MediaKind; mime?: string }> = {
  'image/jpeg': { kind: 'photo' },
  'image/png': { kind: 'photo' },
  'image/webp': { kind: 'photo' },
  'audio/aac': { kind: 'audio' },
  'audio/x-m4a': { kind: 'audio', mime: 'audio/mp4' },
  'audio/mp4': { kind: 'audio' },
  'audio/amr': { kind: 'audio' },
  'audio/3gpp': { kind: 'audio' },
  'audio/ogg': { kind: 'audio' },
  'audio/ogg; codecs=opus': { kind: 'audio' },
  'audio/opus': { kind: 'audio' },
  'audio/webm': { kind: 'audio' },
  'audio/mpeg': { kind: 'audio' },
  // file-type names these containers video unless their brand says audio (M4A), so a 3GP or WebM voice
  // note counts as video: the larger limit, and players that handle both.
  'video/mp4': { kind: 'video' },
  'video/x-m4v': { kind: 'video', mime: 'video/mp4' },
  'video/3gpp': { kind: 'video' },
  'video/3gpp2': { kind: 'video' },
  'video/webm': { kind: 'video' },
};

export const ACCEPTED_TEXT =
  'photos (JPEG, PNG, WebP), audio (AAC/M4A, AMR, 3GP, Opus/Ogg, WebM, MP3) and video (MP4, 3GP, WebM)';

const KIND_TEXT: Record<MediaKind, string> = {
  photo: 'photos (JPEG, PNG, WebP)',
  audio: 'audio (AAC/M4A, AMR, 3GP, Opus/Ogg, WebM, MP3)',
  video: 'video (MP4, 3GP, WebM)',
};

export function unsupported(allowed?: MediaKind[]): AppError {
  const what = allowed ? allowed.map((k) => KIND_TEXT[k]).join(', ') : ACCEPTED_TEXT;
  return new AppError(
    'unsupported_media',
    'unsupported_media',
    `This file type is not accepted. Send ${what}.`,
  );
}

/** The real type from the first bytes; null for anything not accepted (text, archives, SVG, HTML, ...). */
export async function sniff(head: Uint8Array): Promise<Sniffed | null> {
  const found = await fileTypeFromBuffer(head);
  if (!found) return null;
  const accepted = ACCEPTED[found.mime];
  if (!accepted) return null;
  return { kind: accepted.kind, mime: accepted.mime ?? found.mime, ext: found.ext };
}
