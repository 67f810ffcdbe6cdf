import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptAes128gcm } from '../../../test/push-service.js';
import { createEncryptor, encryptPayload } from './encrypt.js';

function device() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, key: ecdh.getPublicKey(), auth: randomBytes(16) };
}

describe('push payload encryption (RFC 8291, aes128gcm)', () => {
  it('is read back with the device keys, and differs every time', () => {
    const d = device();
    const text = Buffer.from('{"title":"سیلاب کی وارننگ"}');
    const a = encryptPayload(d.key, d.auth, text);
    const b = encryptPayload(d.key, d.auth, text);
    expect(a.equals(b)).toBe(false);
    expect(decryptAes128gcm(a, d.ecdh, d.auth).toString()).toBe(text.toString());
    expect(() => encryptPayload(d.key, d.auth, Buffer.alloc(5000))).toThrow(/over/);
  });

  it('gives the same results on worker threads, for many requests at once', async () => {
    const encryptor = createEncryptor(2);
    try {
      const devices = Array.from({ length: 50 }, device);
      const bodies = await Promise.all(
        devices.map((d, i) => encryptor.encrypt(d.key, d.auth, Buffer.from(`message ${i}`))),
      );
      bodies.forEach((body, i) => {
        expect(decryptAes128gcm(body, devices[i]!.ecdh, devices[i]!.auth).toString()).toBe(`message ${i}`);
      });
      await expect(encryptor.encrypt(devices[0]!.key, devices[0]!.auth, Buffer.alloc(5000))).rejects.toThrow(
        /over/,
      );
    } finally {
      encryptor.close();
    }
  });
});
