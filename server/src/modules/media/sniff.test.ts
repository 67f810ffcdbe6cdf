import { describe, expect, it } from 'vitest';
import * as samples from '../../../test/media-samples.js';
import { headBytesNeeded, SNIFF_BYTES, sniff, unsupported } from './sniff.js';

describe('sniff', () => {
  it.each([
    ['JPEG', () => samples.jpeg(), 'photo', 'image/jpeg'],
    ['PNG', () => samples.png(), 'photo', 'image/png'],
    ['WebP', () => samples.webp(), 'photo', 'image/webp'],
    ['M4A', async () => samples.audio.m4a(), 'audio', 'audio/mp4'],
    ['AAC (ADTS)', async () => samples.audio.aac(), 'audio', 'audio/aac'],
    ['AMR', async () => samples.audio.amr(), 'audio', 'audio/amr'],
    ['Opus in Ogg', async () => samples.audio.opus(), 'audio', 'audio/ogg; codecs=opus'],
    ['Vorbis in Ogg', async () => samples.audio.ogg(), 'audio', 'audio/ogg'],
    ['MP3', async () => samples.audio.mp3(), 'audio', 'audio/mpeg'],
    ['MP3 behind a large ID3 tag', async () => samples.audio.mp3WithId3(), 'audio', 'audio/mpeg'],
    ['MP4', async () => samples.video.mp4(), 'video', 'video/mp4'],
    ['3GP', async () => samples.video.threeGp(), 'video', 'video/3gpp'],
    ['WebM', async () => samples.video.webm(), 'video', 'video/webm'],
  ])('knows %s by its bytes', async (_name, make, kind, mime) => {
    const bytes = await make();
    const head = bytes.subarray(0, headBytesNeeded(bytes.subarray(0, 10)));
    expect(await sniff(head)).toMatchObject({ kind, mime });
  });

  it.each([
    ['a text file (named x.jpg by its sender)', samples.refused.textAsJpeg],
    ['a zip archive', samples.refused.zip],
    ['an SVG with a script', samples.refused.svg],
    ['an HTML page', samples.refused.html],
    ['a QuickTime movie', samples.refused.quicktime],
    ['a PDF', samples.refused.pdf],
    ['nothing at all', () => Buffer.alloc(0)],
  ])('refuses %s', async (_name, make) => {
    expect(await sniff(make())).toBeNull();
  });

  it('looks past an ID3 tag, within bounds', () => {
    expect(headBytesNeeded(Buffer.from('plain text'))).toBe(SNIFF_BYTES);
    const tag = samples.audio.mp3WithId3();
    expect(headBytesNeeded(tag.subarray(0, 10))).toBe(20 + 20_000 + SNIFF_BYTES);
    // A tag claiming 256 MB does not make the pipeline hold 256 MB.
    expect(headBytesNeeded(Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f]))).toBe(
      1024 * 1024,
    );
  });

  it('names what is accepted in the refusal', () => {
    const err = unsupported();
    expect(err.kind).toBe('unsupported_media');
    expect(err.message).toMatch(/JPEG.*PNG.*WebP.*AMR.*MP3.*MP4.*3GP.*WebM/);
    expect(unsupported(['photo']).message).toBe(
      'This file type is not accepted. Send photos (JPEG, PNG, WebP).',
    );
  });
});
