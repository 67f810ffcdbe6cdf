import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPortal, errorOf, type TestPortal } from '../../test/portal.js';
import { AppError } from '../errors.js';
import { registerErrorHandling } from './error-handler.js';

describe('platform routes', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal();
  });
  afterAll(async () => portal?.destroy());

  it('answers /health and /ready, and /ready fails with 503 when the database is gone', async () => {
    expect((await portal.app.inject('/health')).json()).toEqual({ status: 'ok' });
    expect((await portal.app.inject('/ready')).json()).toEqual({ status: 'ready' });
    const original = portal.database.ping;
    portal.database.ping = async () => {
      throw new Error('connection refused');
    };
    try {
      const res = await portal.app.inject('/ready');
      expect(res.statusCode).toBe(503);
      expect(errorOf(res).code).toBe('unavailable');
    } finally {
      portal.database.ping = original;
    }
  });

  it('serves the OpenAPI document with every route and the docs UI', async () => {
    const res = await portal.app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/auth/register',
      '/api/v1/auth/verify',
      '/api/v1/auth/login',
      '/api/v1/me',
      '/api/v1/districts',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const register = doc.paths['/api/v1/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema.required).toContain('cnic');
    expect(register.responses).toHaveProperty('201');
    expect((await portal.app.inject('/api/docs')).statusCode).toBeLessThan(400);
  });

  it('gives unknown routes the error shape and echoes a request id', async () => {
    const res = await portal.app.inject({
      url: '/api/v1/nowhere',
      headers: { 'x-request-id': 'trace-12345678' },
    });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).code).toBe('not_found');
    expect(res.headers['x-request-id']).toBe('trace-12345678');
  });

  it('puts the security headers on every answer, errors and pages included', async () => {
    const bodyless = {
      method: 'POST' as const,
      url: '/api/v1/auth/login',
      payload: '{',
      headers: { 'content-type': 'application/json' },
    };
    const answers = [
      ['json', await portal.app.inject('/api/v1/districts')],
      ['404', await portal.app.inject('/api/v1/nowhere')],
      ['400', await portal.app.inject(bodyless)],
      ['open311', await portal.app.inject('/open311/v2/services.json')],
      ['page', await portal.app.inject('/public')],
      ['app', await portal.app.inject('/')],
    ] as const;
    for (const [name, res] of answers) {
      expect(res.headers['x-content-type-options'], name).toBe('nosniff');
      expect(res.headers['referrer-policy'], name).toBe('no-referrer');
      expect(res.headers['cross-origin-resource-policy'], name).toBe('same-origin');
      expect(res.headers['x-request-id'], name).toMatch(/^[0-9a-f-]{36}$/);
      // Plain HTTP (a developer's machine): HSTS would pin the browser to HTTPS that is not there.
      expect(res.headers['strict-transport-security'], name).toBeUndefined();
    }
    // The API's answers may run nothing and be framed nowhere, even if opened directly.
    for (const [name, res] of answers.slice(0, 4)) {
      expect(res.headers['content-security-policy'], name).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['x-frame-options'], name).toBe('DENY');
      expect(res.headers['cross-origin-opener-policy'], name).toBeUndefined();
    }
    // Pages get the page policy.
    for (const [name, res] of answers.slice(4)) {
      expect(res.headers['content-security-policy'], name).toContain("default-src 'self'");
      expect(res.headers['content-security-policy'], name).toContain("object-src 'none'");
      expect(res.headers['x-frame-options'], name).toBe('SAMEORIGIN');
      expect(res.headers['cross-origin-opener-policy'], name).toBe('same-origin');
    }
  });

  it('refuses a multipart form sent to a route that takes none with 415', async () => {
    const res = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="login"\r\n\r\nabc\r\n--x--\r\n',
    });
    expect(res.statusCode).toBe(415);
    expect(errorOf(res).code).toBeTruthy();
  });

  it('lists the districts of Khyber Pakhtunkhwa in three languages', async () => {
    const res = await portal.app.inject('/api/v1/districts');
    const districts = res.json() as {
      code: string;
      name: string;
      nameUr: string;
      namePs: string;
      division: { name: string };
    }[];
    const codes = districts.map((d) => d.code);
    for (const code of [
      'peshawar',
      'bajaur',
      'mohmand',
      'khyber',
      'kurram',
      'orakzai',
      'north-waziristan',
      'upper-chitral',
      'lower-chitral',
      'upper-kohistan',
      'lower-kohistan',
      'kolai-palas',
      'torghar',
    ]) {
      expect(codes).toContain(code);
    }
    const peshawar = districts.find((d) => d.code === 'peshawar')!;
    expect(peshawar).toMatchObject({ name: 'Peshawar', nameUr: 'پشاور', division: { name: 'Peshawar' } });
    const categories = (await portal.app.inject('/api/v1/categories')).json() as {
      nameUr: string;
      namePs: string;
    }[];
    expect(categories.length).toBeGreaterThan(40);
    expect(categories.every((c) => c.nameUr && c.namePs)).toBe(true);
  });
});

describe('the error handler', () => {
  it('hides a bug behind 500 with a request id and no stack, and maps domain errors', async () => {
    const app = Fastify({ logger: false });
    registerErrorHandling(app);
    app.get('/bug', async () => {
      throw new Error('secret internals at /srv/app.ts:42');
    });
    app.get('/conflict', async () => {
      throw new AppError('conflict', 'taken', 'Already there.', { login: 'Taken.' });
    });
    app.get('/busy', async () => {
      throw new AppError('unavailable', 'database_down', 'Try again soon.');
    });
    const bug = await app.inject('/bug');
    expect(bug.statusCode).toBe(500);
    const err = errorOf(bug);
    expect(err).toMatchObject({ code: 'internal' });
    expect((err as { requestId?: string }).requestId).toBeTruthy();
    expect(bug.body).not.toContain('secret internals');
    expect(bug.body).not.toContain('app.ts');
    const conflict = await app.inject('/conflict');
    expect(conflict.statusCode).toBe(409);
    expect(errorOf(conflict)).toEqual({
      code: 'taken',
      message: 'Already there.',
      fields: { login: 'Taken.' },
    });
    expect((await app.inject('/busy')).statusCode).toBe(503);
  });
});

describe('security headers behind HTTPS', () => {
  it('adds HSTS when the public address is https', async () => {
    const portal = await createTestPortal({ PUBLIC_URL: 'https://portal.example.pk' });
    try {
      for (const url of ['/health', '/api/v1/districts']) {
        const res = await portal.app.inject(url);
        expect(res.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      }
    } finally {
      await portal.destroy();
    }
  });
});
