import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createHttpGateway, fillTemplate, formatNumber, type HttpSmsOptions } from './http.js';

interface Seen {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

// A stand-in for an aggregator: each path answers in its own way, and every request is kept for the assertions.
let server: Server;
let base: string;
let seen: Seen[] = [];
const routes: Record<string, (res: ServerResponse, req: Seen) => void> = {
  '/ok': (res) => res.end('OK'),
  '/json-id': (res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"ACCEPTED","message_id":"gw-778899"}');
  },
  '/soft-error': (res) => res.end('ERROR: 102 Insufficient balance'),
  '/echo-error': (res, req) => {
    res.statusCode = 400;
    res.end(`Bad request: ${req.body}`);
  },
  '/500': (res) => {
    res.statusCode = 503;
    res.end('Service unavailable');
  },
  '/400': (res) => {
    res.statusCode = 400;
    res.end('Invalid mask');
  },
  '/429': (res) => {
    res.statusCode = 429;
    res.end('slow down');
  },
  '/202': (res) => {
    res.statusCode = 202;
    res.end('queued');
  },
  '/hang': () => {
    // never answers: the gateway's timeout must end the wait
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      const route = routes[entry.url.pathname];
      if (route) route(res, entry);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
});

const options = (over: Partial<HttpSmsOptions>): HttpSmsOptions => ({
  url: `${base}/ok`,
  method: 'POST',
  headers: {},
  contentType: 'json',
  bodyTemplate: '{"to":"{to}","text":"{text}","reference":"{reference}"}',
  timeoutMs: 2000,
  toFormat: 'e164',
  ...over,
});

const message = { to: '+923001234567', text: 'Citizen Portal code: 123456', reference: 'ref-1' };
// Quotes, a backslash, new lines, a tab, an ampersand, a plus, a percent and Urdu: all must arrive as sent.
const awkward = 'سٹیزن پورٹل: "کوڈ" 123456\nline two\\ & a+b=c 100%\t<end>';

describe('fillTemplate', () => {
  it('escapes values for JSON and for URL encoding, and leaves other braces alone', () => {
    const values = { to: '+92300', text: 'a "b"\nc', reference: 'r&1' };
    expect(fillTemplate('{"t":"{text}","x":"{other}"}', values, 'json')).toBe(
      '{"t":"a \\"b\\"\\nc","x":"{other}"}',
    );
    expect(fillTemplate('to={to}&ref={reference}', values, 'url')).toBe('to=%2B92300&ref=r%261');
  });
});

describe('formatNumber', () => {
  it('writes the number the way the gateway wants it', () => {
    expect(formatNumber('+923001234567', 'e164')).toBe('+923001234567');
    expect(formatNumber('+923001234567', 'digits')).toBe('923001234567');
    expect(formatNumber('+923001234567', 'national')).toBe('03001234567');
    // A number abroad, as dialled from Pakistan.
    expect(formatNumber('+447911123456', 'national')).toBe('00447911123456');
  });
});

describe('createHttpGateway', () => {
  it('posts JSON with the text intact', async () => {
    const gateway = createHttpGateway(options({ headers: { Authorization: 'Bearer test-key' } }));
    const result = await gateway.send({ ...message, text: awkward });
    expect(result).toEqual({ status: 'sent', providerMessageId: 'ref-1' });
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.authorization).toBe('Bearer test-key');
    expect(JSON.parse(req.body)).toEqual({ to: '+923001234567', text: awkward, reference: 'ref-1' });
  });

  it('posts a form with the text intact and the number in national form', async () => {
    const gateway = createHttpGateway(
      options({
        contentType: 'form',
        bodyTemplate: 'user=portal&to={to}&msg={text}&ref={reference}',
        toFormat: 'national',
      }),
    );
    expect((await gateway.send({ ...message, text: awkward })).status).toBe('sent');
    const req = seen[0]!;
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body);
    expect(form.get('user')).toBe('portal');
    expect(form.get('to')).toBe('03001234567');
    expect(form.get('msg')).toBe(awkward);
    expect(form.get('ref')).toBe('ref-1');
  });

  it('keeps a configured content type and does not send it twice', async () => {
    const gateway = createHttpGateway(
      options({ headers: { 'Content-Type': 'application/json; charset=utf-8' } }),
    );
    await gateway.send(message);
    expect(seen[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('sends a GET with the values in the query string', async () => {
    const gateway = createHttpGateway(
      options({
        url: `${base}/ok?api_key=k1`,
        method: 'GET',
        bodyTemplate: undefined,
        queryTemplate: 'to={to}&text={text}&ref={reference}',
        toFormat: 'digits',
      }),
    );
    expect((await gateway.send({ ...message, text: awkward })).status).toBe('sent');
    const req = seen[0]!;
    expect(req.method).toBe('GET');
    expect(req.body).toBe('');
    expect(req.url.searchParams.get('api_key')).toBe('k1');
    expect(req.url.searchParams.get('to')).toBe('923001234567');
    expect(req.url.searchParams.get('text')).toBe(awkward);
    expect(req.url.searchParams.get('ref')).toBe('ref-1');
  });

  it('takes the provider id from the answer', async () => {
    const gateway = createHttpGateway(
      options({
        url: `${base}/json-id`,
        successPattern: '"status"\\s*:\\s*"ACCEPTED"',
        messageIdPattern: '"message_id"\\s*:\\s*"([^"]+)"',
      }),
    );
    expect(await gateway.send(message)).toEqual({ status: 'sent', providerMessageId: 'gw-778899' });
  });

  it('fails, without a retry, when a 200 answer does not match the success pattern', async () => {
    const gateway = createHttpGateway(options({ url: `${base}/soft-error`, successPattern: '^OK' }));
    const result = await gateway.send(message);
    expect(result.status).toBe('failed');
    expect(result.retryable).toBe(false);
    expect(result.error).toContain('Insufficient balance');
  });

  it('counts only the configured statuses as success', async () => {
    const strict = createHttpGateway(options({ url: `${base}/202`, successStatus: [200] }));
    expect(await strict.send(message)).toMatchObject({ status: 'failed', retryable: false });
    const lenient = createHttpGateway(options({ url: `${base}/202`, successStatus: [200, 202] }));
    expect((await lenient.send(message)).status).toBe('sent');
  });

  it('marks a 5xx as worth retrying', async () => {
    const result = await createHttpGateway(options({ url: `${base}/500` })).send(message);
    expect(result).toMatchObject({ status: 'failed', retryable: true });
    expect(result.error).toContain('503');
  });

  it('marks a 4xx as final, except 429', async () => {
    const bad = await createHttpGateway(options({ url: `${base}/400` })).send(message);
    expect(bad).toMatchObject({ status: 'failed', retryable: false });
    expect(bad.error).toContain('Invalid mask');
    const busy = await createHttpGateway(options({ url: `${base}/429` })).send(message);
    expect(busy).toMatchObject({ status: 'failed', retryable: true });
  });

  it('keeps the text and its code out of the error when the gateway echoes them', async () => {
    const result = await createHttpGateway(options({ url: `${base}/echo-error` })).send(message);
    expect(result.status).toBe('failed');
    expect(result.error).toContain('Bad request');
    expect(result.error).not.toContain('123456');
  });

  it('gives up after the timeout and marks it worth retrying', async () => {
    const result = await createHttpGateway(options({ url: `${base}/hang`, timeoutMs: 200 })).send(message);
    expect(result).toMatchObject({ status: 'failed', retryable: true });
    expect(result.error).toMatch(/timed out/);
  });

  it('reports a refused connection as a retryable failure instead of throwing', async () => {
    // A port that was just free: listen, note it, close.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const result = await createHttpGateway(options({ url: `http://127.0.0.1:${port}/` })).send(message);
    expect(result).toMatchObject({ status: 'failed', retryable: true });
    expect(result.error).toMatch(/^network: /);
  });

  it('refuses bad settings when it is created', () => {
    expect(() => createHttpGateway(options({ url: 'not a url' }))).toThrow();
    expect(() => createHttpGateway(options({ successPattern: '(' }))).toThrow();
    expect(() => createHttpGateway(options({ headers: { 'X-Key': 'a\nb' } }))).toThrow();
  });
});
