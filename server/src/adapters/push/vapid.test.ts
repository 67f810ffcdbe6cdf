import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { ConfigError, loadConfig } from '../../config.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'portal-vapid-'));

describe('VAPID keys', () => {
  it('are generated once into DATA_DIR, readable by the owner only', () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    expect(Buffer.from(a.push.vapid.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(a.push.vapid.privateKey, 'base64url')).toHaveLength(32);
    expect(statSync(path.join(dir, 'vapid.json')).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATA_DIR: dir }).push.vapid).toEqual(a.push.vapid);
    expect(a.push.vapidSubject).toBe('mailto:admin@localhost');
  });

  it('come from the configuration when given, for every node alike', () => {
    const keys = webpush.generateVAPIDKeys();
    const c = loadConfig({
      DATA_DIR: tmp(),
      VAPID_PUBLIC_KEY: keys.publicKey,
      VAPID_PRIVATE_KEY: keys.privateKey,
      VAPID_SUBJECT: 'https://portal.example.gov.pk/contact',
    });
    expect(c.push.vapid).toEqual(keys);
    expect(c.push.vapidSubject).toBe('https://portal.example.gov.pk/contact');
  });

  it('are refused when malformed or half given, with the other bad push settings', () => {
    const keys = webpush.generateVAPIDKeys();
    try {
      loadConfig({
        DATA_DIR: tmp(),
        VAPID_PUBLIC_KEY: 'short',
        VAPID_SUBJECT: 'admin',
        PUSH_CONCURRENCY: '0',
      });
      expect.unreachable();
    } catch (err) {
      const text = (err as ConfigError).problems.join('\n');
      expect(err).toBeInstanceOf(ConfigError);
      expect(text).toContain('VAPID_PUBLIC_KEY: expected a 65-byte key');
      expect(text).toContain('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither');
      expect(text).toContain('VAPID_SUBJECT');
      expect(text).toContain('PUSH_CONCURRENCY');
    }
    expect(() => loadConfig({ DATA_DIR: tmp(), VAPID_PRIVATE_KEY: keys.privateKey })).toThrow(ConfigError);
  });
});
