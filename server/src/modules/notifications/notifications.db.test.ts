import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { startPushService, type TestPushService } from '../../../test/push-service.js';

let portal: TestPortal;
let push: TestPushService;

beforeAll(async () => {
  push = await startPushService();
  portal = await createTestPortal({ PUSH_ALLOW_LOCAL_ENDPOINTS: 'true', RATE_LIMITS: 'off' });
});
afterAll(async () => {
  await portal?.destroy();
  await push?.close();
});

const subscribe = (c: RegisteredCitizen, payload: object) =>
  portal.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: bearer(c.token), payload });

async function countDevices(citizenId: number) {
  return portal.app.services.notifications.deviceCount(citizenId);
}

/** Moves a complaint through the lifecycle, as an officer's action does. */
async function start(complaintId: number) {
  await portal.database.db.transaction().execute((trx) =>
    portal.app.services.lifecycle.apply(trx, complaintId, {
      type: 'in_progress',
      visibility: 'public',
      actor: { type: 'staff', id: null },
      toStatus: 'in_progress',
    }),
  );
}

describe('push key and devices', () => {
  it('gives the VAPID public key to anyone', async () => {
    const res = await portal.app.inject({ method: 'GET', url: '/api/v1/push/key' });
    expect(res.statusCode).toBe(200);
    expect(Buffer.from(res.json().publicKey, 'base64url')).toHaveLength(65);
  });

  it('registers several devices per citizen, once per endpoint, and only the owner removes one', async () => {
    const amina = await buildCitizen(portal);
    const other = await buildCitizen(portal);
    const phone = push.device();
    const laptop = push.device();
    expect((await subscribe(amina, phone.subscription)).statusCode).toBe(201);
    expect((await subscribe(amina, { ...laptop.subscription, expirationTime: null })).statusCode).toBe(201);
    // The same endpoint again (a refreshed subscription) is still one device.
    expect((await subscribe(amina, phone.subscription)).statusCode).toBe(201);
    expect(await countDevices(amina.id)).toBe(2);

    const listed = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/push/subscriptions',
      headers: bearer(amina.token),
    });
    expect(listed.json().items).toHaveLength(2);
    const id = listed.json().items[0].id as number;

    const theirs = await portal.app.inject({
      method: 'DELETE',
      url: `/api/v1/push/subscriptions/${id}`,
      headers: bearer(other.token),
    });
    expect(theirs.statusCode).toBe(404);
    expect(errorOf(theirs).code).toBe('not_found');
    const byEndpoint = await portal.app.inject({
      method: 'DELETE',
      url: '/api/v1/push/subscriptions',
      headers: bearer(other.token),
      payload: { endpoint: laptop.subscription.endpoint },
    });
    expect(byEndpoint.statusCode).toBe(404);
    expect(await countDevices(amina.id)).toBe(2);

    const mine = await portal.app.inject({
      method: 'DELETE',
      url: '/api/v1/push/subscriptions',
      headers: bearer(amina.token),
      payload: { endpoint: laptop.subscription.endpoint },
    });
    expect(mine.statusCode).toBe(204);
    expect(await countDevices(amina.id)).toBe(1);
  });

  it('refuses bad subscriptions with the error shape and stores nothing', async () => {
    const c = await buildCitizen(portal);
    const good = push.device().subscription;
    const bad: [string, unknown][] = [
      ['an array', [good]],
      ['no keys', { endpoint: good.endpoint }],
      ['wrong type', { endpoint: 42, keys: good.keys }],
      ['short p256dh', { endpoint: good.endpoint, keys: { ...good.keys, p256dh: 'AAAA' } }],
      ['short auth', { endpoint: good.endpoint, keys: { ...good.keys, auth: 'AAAA' } }],
      ['extra field', { ...good, owner: 1 }],
      ['not a URL', { ...good, endpoint: 'not a url at all' }],
      ['plain http push service', { ...good, endpoint: 'http://push.example.com/x/1' }],
      ['private address', { ...good, endpoint: 'https://10.0.0.1/push/1' }],
      ['oversized endpoint', { ...good, endpoint: `https://push.example.com/${'a'.repeat(2000)}` }],
    ];
    for (const [what, payload] of bad) {
      const res = await subscribe(c, payload as object);
      expect(res.statusCode, what).toBe(400);
      expect(errorOf(res).code, what).toBeTruthy();
    }
    const malformed = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/push/subscriptions',
      headers: { ...bearer(c.token), 'content-type': 'application/json' },
      payload: '{"endpoint": ',
    });
    expect(malformed.statusCode).toBe(400);
    errorOf(malformed);
    const anonymous = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/push/subscriptions',
      payload: good,
    });
    expect(anonymous.statusCode).toBe(401);
    expect(await countDevices(c.id)).toBe(0);
  });

  it('takes two registrations of one device at once as one', async () => {
    const c = await buildCitizen(portal);
    const d = push.device();
    const results = await Promise.all([subscribe(c, d.subscription), subscribe(c, d.subscription)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 201]);
    expect(await countDevices(c.id)).toBe(1);
  });
});

/** Makes every job waiting for a retry due now, as if its backoff had passed. */
async function retryNow() {
  const db = portal.database.db;
  if (portal.t.engine === 'sqlite') {
    await db
      .updateTable('jobs')
      .set({ run_at: new Date(Date.now() - 1000).toISOString() })
      .where('state', '=', 'pending')
      .execute();
    return;
  }
  const jobs = sql.id(`${portal.t.schema}_jobs`, 'job');
  await sql`update ${jobs} set start_after = now() where state = 'retry'`.execute(db);
}

describe('delivery failures', () => {
  it('retry a device the push service could not take, after a backoff, without resending to the others', async () => {
    const c = await buildCitizen(portal);
    const flaky = push.device();
    const fine = push.device();
    await subscribe(c, flaky.subscription);
    await subscribe(c, fine.subscription);
    const complaint = await buildComplaint(portal, { citizenId: c.id });
    push.setBehaviour(flaky.id, 'fail');
    await start(complaint.id);
    await portal.drain();
    const count = (id: string) =>
      push.received.filter((p) => p.deviceId === id && p.payload.kind === 'in_progress').length;
    expect(count(fine.id)).toBe(1);
    expect(count(flaky.id)).toBe(0);
    // Not yet: the retry waits for its backoff.
    await portal.drain();
    expect(count(flaky.id)).toBe(0);

    push.setBehaviour(flaky.id, 'accept');
    await retryNow();
    await portal.drain();
    expect(count(flaky.id)).toBe(1);
    expect(count(fine.id)).toBe(1);
    expect(await countDevices(c.id)).toBe(2);
  });
});

describe('the API document', () => {
  it('describes the notification, announcement and poll routes', async () => {
    const res = await portal.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const paths = Object.keys(res.json().paths);
    for (const p of [
      '/api/v1/push/key',
      '/api/v1/push/subscriptions',
      '/api/v1/me/notifications',
      '/api/v1/announcements',
      '/api/v1/announcements/{id}/read',
      '/api/v1/polls',
      '/api/v1/polls/{id}',
      '/api/v1/polls/{id}/votes',
      '/api/v1/staff/announcements',
      '/api/v1/staff/polls/{id}/results.csv',
      '/api/v1/staff/communications',
      '/api/v1/staff/push/failures',
    ]) {
      expect(paths, p).toContain(p);
    }
  });
});

describe('preferences', () => {
  it('has defaults, changes what is sent, and refuses bad input', async () => {
    const c = await buildCitizen(portal);
    const get = () =>
      portal.app.inject({ method: 'GET', url: '/api/v1/me/notifications', headers: bearer(c.token) });
    expect((await get()).json()).toEqual({ push: true, sms: false, email: false });
    const put = (payload: object) =>
      portal.app.inject({
        method: 'PUT',
        url: '/api/v1/me/notifications',
        headers: bearer(c.token),
        payload,
      });
    for (const payload of [{}, { push: 'yes' }, { push: true, colour: 'red' }, [true]]) {
      const res = await put(payload);
      expect(res.statusCode).toBe(400);
      errorOf(res);
    }
    expect((await get()).json()).toEqual({ push: true, sms: false, email: false });
    expect((await put({ sms: true })).json()).toEqual({ push: true, sms: true, email: false });
    expect((await get()).json()).toEqual({ push: true, sms: true, email: false });
  });
});

describe('complaint events', () => {
  it('turn one status change into one Message Box item and one push per device, in the citizen language', async () => {
    const amina = await buildCitizen(portal, { language: 'ur' });
    const phone = push.device();
    const tablet = push.device();
    await subscribe(amina, phone.subscription);
    await subscribe(amina, tablet.subscription);
    const complaint = await buildComplaint(portal, { citizenId: amina.id });
    await portal.drain();
    const before = push.received.length;

    await start(complaint.id);
    await portal.drain();
    // A second drain finds nothing left to send.
    await portal.drain();

    const items = await portal.database.db
      .selectFrom('inbox_items')
      .selectAll()
      .where('complaint_id', '=', complaint.id)
      .where('kind', '=', 'in_progress')
      .execute();
    expect(items).toHaveLength(1);
    const pushes = push.received.slice(before);
    expect(pushes.map((p) => p.deviceId).sort()).toEqual([phone.id, tablet.id].sort());
    for (const p of pushes) {
      expect(p.payload.title).toBe(`شکایت ${complaint.trackingNumber} پر کام شروع ہو گیا ہے`);
      expect(p.payload.title).toBe(items[0]!.title);
      expect(p.payload.tag).toBe(`complaint-${complaint.id}`);
      expect(p.payload.url).toBe(`/complaints/${complaint.id}`);
      expect(p.topic).toMatch(/^e\d+$/);
    }
  });

  it('sends nothing to a citizen who turned push off, and texts the resolution to one who asked for SMS', async () => {
    const c = await buildCitizen(portal);
    const d = push.device();
    await subscribe(c, d.subscription);
    await portal.app.inject({
      method: 'PUT',
      url: '/api/v1/me/notifications',
      headers: bearer(c.token),
      payload: { push: false, sms: true },
    });
    const complaint = await buildComplaint(portal, { citizenId: c.id });
    await start(complaint.id);
    await portal.database.db.transaction().execute((trx) =>
      portal.app.services.lifecycle.apply(trx, complaint.id, {
        type: 'resolved',
        visibility: 'public',
        actor: { type: 'staff', id: null },
        toStatus: 'resolved',
        message: 'The pipe was repaired.',
      }),
    );
    await portal.drain();
    expect(push.received.filter((p) => p.deviceId === d.id)).toHaveLength(0);
    const outbox = await readFile(path.join(portal.outboxDir, 'sms.jsonl'), 'utf8');
    const texts = outbox
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; text: string })
      .filter((m) => m.to === c.mobile)
      .map((m) => m.text);
    expect(texts).toContain(`Complaint ${complaint.trackingNumber} was received`);
    expect(texts).toContain(`Complaint ${complaint.trackingNumber} was resolved: please confirm`);
  });

  it('removes a device the push service has forgotten and shows the failure to admins only', async () => {
    const c = await buildCitizen(portal);
    const gone = push.device();
    const kept = push.device();
    await subscribe(c, gone.subscription);
    await subscribe(c, kept.subscription);
    push.setBehaviour(gone.id, 'gone');
    const complaint = await buildComplaint(portal, { citizenId: c.id });
    await portal.drain();
    expect(await countDevices(c.id)).toBe(1);
    expect(push.received.filter((p) => p.deviceId === kept.id)).toHaveLength(1);

    const admin = await buildStaff(portal, { role: 'admin' });
    const res = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/push/failures',
      headers: bearer(admin.token),
    });
    expect(res.statusCode).toBe(200);
    const failure = res.json().items.find((f: { citizenId: number }) => f.citizenId === c.id);
    expect(failure).toMatchObject({ statusCode: 410, removed: true, pushService: push.url });
    expect(JSON.stringify(res.json())).not.toContain(gone.id);
    void complaint;

    const officer = await buildStaff(portal, { role: 'officer' });
    const denied = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/push/failures',
      headers: bearer(officer.token),
    });
    expect(denied.statusCode).toBe(403);
    const citizen = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/push/failures',
      headers: bearer(c.token),
    });
    expect(citizen.statusCode).toBe(403);
  });
});
