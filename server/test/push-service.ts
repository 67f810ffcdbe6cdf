import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  randomBytes,
  randomUUID,
  verify,
} from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Web Push service on this machine that answers as a real one does: it checks the VAPID token (ES256,
 * audience, expiry) and, since the test holds each device's private key, decrypts the aes128gcm payload
 * (RFC 8291) so a test reads exactly what the phone would show.
 */
export interface TestDevice {
  id: string;
  /** The JSON a browser's PushSubscription gives the app, ready to POST to /api/v1/push/subscriptions. */
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

export interface ReceivedPush {
  deviceId: string;
  topic: string | null;
  ttl: string | null;
  urgency: string | null;
  payload: { title: string; body: string | null; tag: string; url: string; kind: string };
}

type Behaviour = 'accept' | 'gone' | 'fail';

interface DeviceState {
  ecdh: ReturnType<typeof createECDH>;
  publicKey: Buffer;
  auth: Buffer;
  behaviour: Behaviour;
}

export interface TestPushService {
  url: string;
  device(): TestDevice;
  setBehaviour(deviceId: string, behaviour: Behaviour): void;
  /** Pushes accepted (201), in order. */
  received: ReceivedPush[];
  /** Requests refused: bad token, undecryptable, or by behaviour. */
  refused: { deviceId: string; status: number; reason: string }[];
  /** After this many accepted pushes, further requests get no answer until release(): a stalled service. */
  stallAfter(accepted: number): void;
  release(): void;
  /** Held requests whose sender is still connected. */
  heldOpen(): number;
  close(): Promise<void>;
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** RFC 8291 decryption of a single-record aes128gcm body with the device's keys. */
export function decryptAes128gcm(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const idlen = body.readUInt8(20);
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const uaPublic = ecdh.getPublicKey();
  const ecdhSecret = ecdh.computeSecret(asPublic);
  const prkKey = hmac(auth, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]);
  const ikm = hmac(prkKey, keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('bad padding delimiter');
  return padded.subarray(0, end);
}

/** Checks `Authorization: vapid t=<jwt>, k=<key>`: the signature, the audience and the expiry. */
function checkVapid(header: string | undefined, origin: string): string | null {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+),\s*k=([\w-]+)$/.exec(header ?? '');
  if (!m) return 'no vapid authorization';
  const [headerB64, claimsB64, sigB64] = m[1]!.split('.') as [string, string, string];
  const key = Buffer.from(m[2]!, 'base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: key.subarray(1, 33).toString('base64url'),
    y: key.subarray(33, 65).toString('base64url'),
  };
  const ok = verify(
    'sha256',
    Buffer.from(`${headerB64}.${claimsB64}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(sigB64, 'base64url'),
  );
  if (!ok) return 'bad signature';
  const claims = JSON.parse(Buffer.from(claimsB64, 'base64url').toString()) as { aud: string; exp: number };
  if (claims.aud !== origin) return `audience ${claims.aud} is not ${origin}`;
  if (claims.exp * 1000 < Date.now()) return 'expired token';
  return null;
}

export async function startPushService(): Promise<TestPushService> {
  const devices = new Map<string, DeviceState>();
  const received: ReceivedPush[] = [];
  const refused: TestPushService['refused'] = [];
  let stallAt = Number.POSITIVE_INFINITY;
  const stalled: { answer: () => void; socket: import('node:net').Socket }[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        // A request whose sender died while it was held was never accepted, as with a real push service.
        if (req.socket.destroyed) return;
        const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
        const device = id ? devices.get(id) : undefined;
        const refuse = (status: number, reason: string) => {
          refused.push({ deviceId: id ?? '', status, reason });
          res.writeHead(status).end(reason);
        };
        if (req.method !== 'POST' || !id || !device) return refuse(404, 'no such subscription');
        const bad = checkVapid(req.headers.authorization, `http://127.0.0.1:${port}`);
        if (bad) return refuse(401, bad);
        if (device.behaviour === 'gone') return refuse(410, 'unsubscribed');
        if (device.behaviour === 'fail') return refuse(500, 'temporarily unavailable');
        if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(400, 'expected aes128gcm');
        let payload: ReceivedPush['payload'];
        try {
          payload = JSON.parse(
            decryptAes128gcm(Buffer.concat(chunks), device.ecdh, device.auth).toString('utf8'),
          );
        } catch (err) {
          return refuse(400, `undecryptable: ${(err as Error).message}`);
        }
        received.push({
          deviceId: id,
          topic: (req.headers.topic as string | undefined) ?? null,
          ttl: (req.headers.ttl as string | undefined) ?? null,
          urgency: (req.headers.urgency as string | undefined) ?? null,
          payload,
        });
        res.writeHead(201).end();
      };
      if (received.length >= stallAt) stalled.push({ answer, socket: req.socket });
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    received,
    refused,
    device() {
      const id = randomUUID();
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const state: DeviceState = {
        ecdh,
        publicKey: ecdh.getPublicKey(),
        auth: randomBytes(16),
        behaviour: 'accept',
      };
      devices.set(id, state);
      return {
        id,
        subscription: {
          endpoint: `${url}/push/${id}`,
          keys: { p256dh: state.publicKey.toString('base64url'), auth: state.auth.toString('base64url') },
        },
      };
    },
    setBehaviour(id, behaviour) {
      devices.get(id)!.behaviour = behaviour;
    },
    stallAfter(n) {
      stallAt = n;
    },
    release() {
      stallAt = Number.POSITIVE_INFINITY;
      for (const s of stalled.splice(0)) s.answer();
    },
    heldOpen() {
      return stalled.filter((s) => !s.socket.destroyed).length;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
