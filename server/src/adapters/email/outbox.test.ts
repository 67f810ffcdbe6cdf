import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createEmailSender } from './index.js';
import { createEmailOutbox, readEmailOutbox } from './outbox.js';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'portal-email-'));
  dir = path.join(root, 'outbox');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const mail = {
  to: 'citizen@example.pk',
  subject: 'آپ کا سٹیزن پورٹل کوڈ',
  text: 'Line one "quoted"\nسطر دو',
  reference: 'e1',
};

describe('the email outbox', () => {
  it('writes one JSON line a message in a private folder it creates', async () => {
    const sender = createEmailOutbox({ dir });
    expect(sender.name).toBe('outbox');
    expect(await sender.send(mail)).toEqual({ status: 'sent' });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const lines = (await readFile(path.join(dir, 'email.jsonl'), 'utf8')).split('\n');
    expect(lines).toHaveLength(2);
    const record = JSON.parse(lines[0]!);
    expect(Object.keys(record).sort()).toEqual(['createdAt', 'reference', 'subject', 'text', 'to']);
  });

  it('reads back what was sent, in order', async () => {
    const sender = createEmailOutbox({ dir });
    await sender.send(mail);
    await sender.send({ ...mail, to: 'other@example.pk', reference: 'e2' });
    const read = await readEmailOutbox(dir);
    expect(read.map((m) => m.reference)).toEqual(['e1', 'e2']);
    expect(read[0]).toMatchObject(mail);
  });

  it('reads a missing outbox as empty and skips a line cut short', async () => {
    expect(await readEmailOutbox(dir)).toEqual([]);
    const sender = createEmailOutbox({ dir });
    await sender.send(mail);
    await appendFile(path.join(dir, 'email.jsonl'), '{"to":"cut');
    expect(await readEmailOutbox(dir)).toHaveLength(1);
  });
});

describe('createEmailSender', () => {
  it('picks the outbox unless SMTP is configured', () => {
    expect(createEmailSender({ provider: 'outbox', outboxDir: dir }).name).toBe('outbox');
    expect(() => createEmailSender({ provider: 'smtp', outboxDir: dir })).toThrow(/SMTP_URL/);
  });
});
