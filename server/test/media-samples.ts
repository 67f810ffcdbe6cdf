import { Readable } from 'node:stream';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

// Tiny files of every accepted format, built here so the tests need no fixtures: photos by sharp, audio and
// video as the minimal headers file-type recognises.

export function jpeg(width = 64, height = 48, color = '#c03030'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .jpeg()
    .toBuffer();
}

export function png(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 90, b: 200, alpha: 0.5 } } })
    .png()
    .toBuffer();
}

export function webp(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#30c030' } })
    .webp()
    .toBuffer();
}

/** A JPEG as a phone writes it: camera make, GPS position and an orientation tag. */
export function jpegWithGps(width = 80, height = 40, orientation = 1): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3050c0' } })
    .withExif({
      IFD0: { Make: 'CheapPhone', Model: 'X1', Orientation: String(orientation) },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '34/1 0/1 4123/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '71/1 34/1 2011/100',
      },
    })
    .jpeg()
    .toBuffer();
}

/**
 * A left half red and right half blue image, tagged EXIF orientation 6 (rotate 90° clockwise to view):
 * stored upright it is taller than wide, with red on top.
 */
export async function rotatedJpeg(): Promise<Buffer> {
  const red = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#ff0000' } })
    .png()
    .toBuffer();
  return sharp({ create: { width: 80, height: 30, channels: 3, background: '#0000ff' } })
    .composite([{ input: red, left: 0, top: 0 }])
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A decompression bomb: a few hundred bytes whose header claims width x height pixels. */
export function pngBomb(width = 100_000, height = 100_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(4096))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function box(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

function ftyp(brand: string, compatible: string[]): Buffer {
  return box(
    'ftyp',
    Buffer.concat([
      Buffer.from(brand, 'latin1'),
      Buffer.alloc(4),
      ...compatible.map((c) => Buffer.from(c, 'latin1')),
    ]),
  );
}

/** An ISO media file: its ftyp box, then an mdat box of `bytes` filler. */
function isoMedia(brand: string, compatible: string[], bytes = 2048): Buffer {
  return Buffer.concat([ftyp(brand, compatible), box('mdat', Buffer.alloc(bytes, 0x11))]);
}

function oggPage(payload: Buffer): Buffer {
  const head = Buffer.alloc(27);
  head.write('OggS', 0, 'latin1');
  head[5] = 2; // first page of the stream
  head[26] = 1; // one segment
  return Buffer.concat([head, Buffer.from([payload.length]), payload]);
}

function ebml(id: number[], data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id), Buffer.from([0x80 | data.length]), data]);
}

const filler = (n: number) => Buffer.alloc(n, 0x22);

/** An MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz) and its frame. */
const mp3Frame = () => Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413)]);

function id3(tagBytes: number): Buffer {
  const head = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  // Synchsafe size: four 7-bit bytes.
  head[6] = (tagBytes >> 21) & 0x7f;
  head[7] = (tagBytes >> 14) & 0x7f;
  head[8] = (tagBytes >> 7) & 0x7f;
  head[9] = tagBytes & 0x7f;
  return Buffer.concat([head, Buffer.alloc(tagBytes)]);
}

export const audio = {
  m4a: () => isoMedia('M4A ', ['M4A ', 'mp42', 'isom']),
  aac: () => Buffer.concat([Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc]), filler(2048)]),
  amr: () => Buffer.concat([Buffer.from('#!AMR\n', 'latin1'), filler(2048)]),
  opus: () =>
    Buffer.concat([
      oggPage(
        Buffer.concat([Buffer.from('OpusHead'), Buffer.from([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0])]),
      ),
      filler(2048),
    ]),
  ogg: () =>
    Buffer.concat([
      oggPage(Buffer.concat([Buffer.from([1]), Buffer.from('vorbis'), Buffer.alloc(23)])),
      filler(2048),
    ]),
  mp3: () => Buffer.concat([mp3Frame(), mp3Frame(), mp3Frame()]),
  /** An MP3 whose ID3 tag (cover art, say) is larger than the usual 4 KB sniffing window. */
  mp3WithId3: () => Buffer.concat([id3(20_000), mp3Frame(), mp3Frame()]),
};

export const video = {
  mp4: () => isoMedia('isom', ['isom', 'iso2', 'avc1', 'mp41']),
  threeGp: () => isoMedia('3gp4', ['3gp4', 'isom']),
  webm: () =>
    Buffer.concat([
      ebml(
        [0x1a, 0x45, 0xdf, 0xa3],
        Buffer.concat([
          ebml([0x42, 0x82], Buffer.from('webm')),
          ebml([0x42, 0x87], Buffer.from([4])),
          ebml([0x42, 0x85], Buffer.from([2])),
        ]),
      ),
      filler(2048),
    ]),
};

export const refused = {
  textAsJpeg: () => Buffer.from('This is not a photo, only a text file named x.jpg.\n'.repeat(20)),
  zip: () => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0]), filler(200)]),
  svg: () =>
    Buffer.from(
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
    ),
  html: () => Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'),
  quicktime: () => isoMedia('qt  ', ['qt  ']),
  pdf: () => Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1'),
};

/** The first part of a valid JPEG: the header reads, the picture does not. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await sharp({
    create: {
      width: 400,
      height: 300,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg()
    .toBuffer();
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/**
 * A stream of `head` followed by filler up to `total` bytes, in 64 KiB chunks, produced lazily so a huge
 * upload costs no memory; `read()` reports how much the consumer pulled.
 */
export function streamOf(head: Buffer, total = head.length): Readable & { pulled(): number } {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x33);
  const stream = new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      let next: Buffer;
      if (sent < head.length) next = head.subarray(sent, Math.min(head.length, sent + chunk.length));
      else next = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += next.length;
      this.push(next);
    },
  }) as Readable & { pulled(): number };
  stream.pulled = () => sent;
  return stream;
}
