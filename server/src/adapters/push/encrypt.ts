import * as nodeCrypto from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** The record size announced in the header; one record carries the whole payload. */
const RECORD_SIZE = 4096;
/** What fits one record: the record size less the padding delimiter and the 16-byte tag. */
export const MAX_PAYLOAD_BYTES = RECORD_SIZE - 17;

type Crypto = Pick<typeof nodeCrypto, 'createCipheriv' | 'createECDH' | 'createHmac' | 'randomBytes'>;

/**
 * RFC 8291 message encryption with the aes128gcm content coding (RFC 8188): a fresh ECDH key pair and salt
 * for every message, as the RFC requires, and HKDF written out as its HMACs (every output is at most one
 * hash long). Self-contained, with crypto passed in, because its source also runs in the worker threads.
 */
export function encryptWith(
  crypto: Crypto,
  deviceKey: Buffer,
  authSecret: Buffer,
  plaintext: Buffer,
): Buffer {
  const recordSize = 4096;
  if (plaintext.length > recordSize - 17) throw new Error(`push payload over ${recordSize - 17} bytes`);
  const hmac = (key: Buffer, ...data: Buffer[]) => {
    const h = crypto.createHmac('sha256', key);
    for (const d of data) h.update(d);
    return h.digest();
  };
  const ecdh = crypto.createECDH('prime256v1');
  const serverKey = ecdh.generateKeys();
  const shared = ecdh.computeSecret(deviceKey);
  const salt = crypto.randomBytes(16);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), deviceKey, serverKey, Buffer.from([1])]);
  const prk = hmac(salt, hmac(hmac(authSecret, shared), info));
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const cipher = crypto.createCipheriv('aes-128-gcm', cek, nonce);
  const header = Buffer.alloc(21);
  salt.copy(header, 0);
  header.writeUInt32BE(recordSize, 16);
  header.writeUInt8(serverKey.length, 20);
  return Buffer.concat([
    header,
    serverKey,
    cipher.update(plaintext),
    cipher.update(Buffer.from([2])),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
}

export function encryptPayload(deviceKey: Buffer, authSecret: Buffer, plaintext: Buffer): Buffer {
  return encryptWith(nodeCrypto, deviceKey, authSecret, plaintext);
}

export interface Encryptor {
  encrypt(deviceKey: Buffer, authSecret: Buffer, plaintext: Buffer): Promise<Buffer>;
  close(): void;
}

interface Job {
  id: number;
  key: Buffer;
  auth: Buffer;
  plaintext: Buffer;
}

// __name: what a TypeScript loader may wrap functions in to keep their names.
const workerSource = () => `
const __name = (f) => f;
const crypto = require('node:crypto');
const { parentPort } = require('node:worker_threads');
const encryptWith = ${encryptWith.toString()};
parentPort.on('message', (jobs) => {
  parentPort.postMessage(jobs.map((j) => {
    try {
      return { id: j.id, body: encryptWith(crypto, Buffer.from(j.key), Buffer.from(j.auth), Buffer.from(j.plaintext)) };
    } catch (err) {
      return { id: j.id, error: err.message };
    }
  }));
});`;

/**
 * Encryption is most of a push's CPU (two P-256 operations per message), so a fan-out does it on worker
 * threads while the event loop sends and records. Requests made in the same turn go to a thread together,
 * one message each way for a whole group. With no threads it encrypts in place.
 */
export function createEncryptor(threads: number): Encryptor {
  if (threads <= 0) {
    return { encrypt: async (k, a, p) => encryptPayload(k, a, p), close() {} };
  }
  const waiting = new Map<number, { resolve(b: Buffer): void; reject(e: Error): void }>();
  let pending: Job[] = [];
  let nextId = 0;
  let turn = 0;
  let alive = true;
  let workers: Worker[] | null = null;
  // Started on the first push, so a process that never sends one (the CLI, most tests) starts no thread.
  const start = (): Worker[] =>
    Array.from({ length: threads }, () => {
      const w = new Worker(workerSource(), { eval: true });
      w.unref();
      w.on('message', (results: { id: number; body?: Uint8Array; error?: string }[]) => {
        for (const r of results) {
          const p = waiting.get(r.id);
          waiting.delete(r.id);
          if (r.body) p?.resolve(Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength));
          else p?.reject(new Error(r.error ?? 'encryption failed'));
        }
      });
      // A thread that dies fails what it held, and the rest is encrypted in place: no push is left waiting.
      const die = (err: Error) => {
        alive = false;
        for (const p of waiting.values()) p.reject(err);
        waiting.clear();
      };
      w.on('error', die);
      w.on('exit', () => die(new Error('encryption thread stopped')));
      return w;
    });
  const flush = () => {
    const jobs = pending;
    pending = [];
    if (!alive) {
      for (const j of jobs) {
        const p = waiting.get(j.id);
        waiting.delete(j.id);
        try {
          p?.resolve(encryptPayload(j.key, j.auth, j.plaintext));
        } catch (err) {
          p?.reject(err as Error);
        }
      }
      return;
    }
    workers ??= start();
    const share = Math.ceil(jobs.length / threads);
    for (let i = 0; i < jobs.length; i += share) {
      workers[turn++ % threads]!.postMessage(jobs.slice(i, i + share));
    }
  };
  return {
    encrypt(key, auth, plaintext) {
      if (!alive) return Promise.resolve(encryptPayload(key, auth, plaintext));
      return new Promise<Buffer>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        if (pending.length === 0) setImmediate(flush);
        pending.push({ id, key, auth, plaintext });
      });
    },
    close() {
      alive = false;
      for (const w of workers ?? []) void w.terminate();
    },
  };
}
