import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createSmsGateway } from './index.js';
import { createOutboxGateway, latestCodeFor, readOutbox } from './outbox.js';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'portal-sms-'));
  dir = path.join(root, 'outbox');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the SMS outbox', () => {
  it('writes one JSON line a message in a private folder it creates', async () => {
    const gateway = createOutboxGateway({ dir });
    expect(gateway.name).toBe('outbox');
    const result = await gateway.send({
      to: '+923001234567',
      text: 'کوڈ "123456"\nدوسری لائن',
      reference: 'r1',
    });
    expect(result).toEqual({ status: 'sent', providerMessageId: 'r1' });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const lines = (await readFile(path.join(dir, 'sms.jsonl'), 'utf8')).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const record = JSON.parse(lines[0]!);
    expect(Object.keys(record).sort()).toEqual(['createdAt', 'reference', 'text', 'to']);
    expect(record.text).toBe('کوڈ "123456"\nدوسری لائن');
    expect(Number.isNaN(Date.parse(record.createdAt))).toBe(false);
  });

  it('reads back every message in order, even when many are sent at once', async () => {
    const gateway = createOutboxGateway({ dir });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gateway.send({ to: '+923001234567', text: `message ${i} ${'x'.repeat(500)}`, reference: `r${i}` }),
      ),
    );
    const messages = await readOutbox(dir);
    expect(messages).toHaveLength(50);
    expect(new Set(messages.map((m) => m.reference)).size).toBe(50);
  });

  it('reads an outbox that does not exist yet as empty', async () => {
    expect(await readOutbox(dir)).toEqual([]);
    expect(await latestCodeFor(dir, '+923001234567')).toBeNull();
  });

  it('skips a line cut short instead of failing the whole read', async () => {
    const gateway = createOutboxGateway({ dir });
    await gateway.send({ to: '+923001234567', text: 'code 111111', reference: 'r1' });
    await appendFile(path.join(dir, 'sms.jsonl'), '{"to":"+9230');
    expect((await readOutbox(dir)).map((m) => m.reference)).toEqual(['r1']);
  });

  it('still writes when the folder is removed while the portal runs', async () => {
    const gateway = createOutboxGateway({ dir });
    await gateway.send({ to: '+923001234567', text: 'one', reference: 'r1' });
    await rm(dir, { recursive: true });
    await gateway.send({ to: '+923001234567', text: 'two', reference: 'r2' });
    expect((await readOutbox(dir)).map((m) => m.text)).toEqual(['two']);
  });
});

describe('latestCodeFor', () => {
  it('finds the newest code sent to that number', async () => {
    const gateway = createOutboxGateway({ dir });
    const send = (to: string, text: string) => gateway.send({ to, text, reference: text });
    await send('+923001234567', 'Citizen Portal: your code is 111111. Valid for 5 minutes.');
    await send('+923001234567', 'Citizen Portal: your code is 222222. Valid for 5 minutes.');
    await send('+923339876543', 'Citizen Portal: your code is 333333. Valid for 5 minutes.');
    // A later message without a code (a complaint update) does not hide the code before it.
    await send('+923001234567', 'Citizen Portal: your complaint was resolved.');
    expect(await latestCodeFor(dir, '+923001234567')).toBe('222222');
    expect(await latestCodeFor(dir, '+923339876543')).toBe('333333');
    expect(await latestCodeFor(dir, '+447911123456')).toBeNull();
  });

  it('takes a run of exactly six digits, in Urdu text too', async () => {
    const gateway = createOutboxGateway({ dir });
    await gateway.send({ to: '+923001234567', text: 'ref 12345678, code 654321 ہے۔', reference: 'r' });
    expect(await latestCodeFor(dir, '+923001234567')).toBe('654321');
    await gateway.send({ to: '+923001234567', text: 'سٹیزن پورٹل: آپ کا کوڈ 987654 ہے۔', reference: 'r' });
    expect(await latestCodeFor(dir, '+923001234567')).toBe('987654');
  });
});

describe('createSmsGateway', () => {
  it('picks the outbox unless a gateway is configured', () => {
    expect(createSmsGateway({ provider: 'outbox', outboxDir: dir }).name).toBe('outbox');
    const http = createSmsGateway({
      provider: 'http',
      outboxDir: dir,
      http: {
        url: 'http://127.0.0.1:9/send',
        method: 'POST',
        headers: {},
        contentType: 'json',
        timeoutMs: 1000,
        toFormat: 'e164',
      },
    });
    expect(http.name).toBe('http');
    expect(() => createSmsGateway({ provider: 'http', outboxDir: dir })).toThrow(/gateway settings/);
  });
});
