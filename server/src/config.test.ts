import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'portal-config-'));

describe('configuration', () => {
  it('has working defaults and generates owner-only secrets once', () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    expect(a).toMatchObject({ port: 3000, databaseUrl: null, publicUrl: 'http://localhost:3000' });
    expect(a.secrets.cnicKey).toHaveLength(32);
    expect(statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const b = loadConfig({ DATA_DIR: dir });
    expect(b.secrets.cnicKey.equals(a.secrets.cnicKey)).toBe(true);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('names every bad variable at once and says what it expects', () => {
    try {
      loadConfig({
        DATA_DIR: tmp(),
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        SMS_PROVIDER: 'pigeon',
        CNIC_KEY: 'short',
        OTP_TTL_SECONDS: '5',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT="eighty": expected a whole number from 0 to 65535/);
      expect(problems).toMatch(/DATABASE_URL: expected a URL starting with postgres:/);
      expect(problems).toMatch(/SMS_PROVIDER="pigeon": expected one of outbox, http/);
      expect(problems).toMatch(/CNIC_KEY: expected 32 bytes/);
      expect(problems).toMatch(/OTP_TTL_SECONDS/);
    }
  });

  it('requires the gateway URL when SMS goes over HTTP', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), SMS_PROVIDER: 'http' })).toThrow(/SMS_HTTP_URL: required/);
  });
});
