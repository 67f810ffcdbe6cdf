import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff } from './factories.js';
import { audio, jpeg, jpegWithGps } from './media-samples.js';
import { createTestPortal, type TestPortal } from './portal.js';

/**
 * The whole journey of a complaint: filed with a photo and a voice note from Peshawar, worked, forwarded,
 * resolved with evidence, disputed by the citizen, resolved again and confirmed — every public step in
 * the citizen's Message Box, and the audit chain intact.
 */
describe('a complaint from filing to the citizen\u2019s confirmation', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal();
  });
  afterAll(async () => portal?.destroy());

  it('runs end to end', async () => {
    const { app } = portal;
    const citizen = await buildCitizen(portal, { language: 'ur' });
    const pheOfficer = await buildStaff(portal, {
      role: 'officer',
      department: 'phe',
      districts: ['peshawar'],
    });
    const lgOfficer = await buildStaff(portal, {
      role: 'officer',
      department: 'local-government',
      districts: ['peshawar'],
    });
    const category = (await app.services.geo.categories()).find((c) => c.code === 'water-supply-no-water')!;

    // 1. Filed as a form with a photo (carrying the phone's GPS in EXIF) and a voice note.
    const form = new FormData();
    form.set('category', String(category.id));
    form.set('description', 'Main water line burst near Qissa Khwani; the street is flooded.');
    form.set('lat', '34.0151');
    form.set('lng', '71.5249');
    form.set('accuracy', '8');
    form.set('consent', 'true');
    form.append('media', new Blob([await jpegWithGps(800, 600)], { type: 'image/jpeg' }), 'IMG_0001.jpg');
    form.append('media', new Blob([audio.m4a()], { type: 'audio/mp4' }), 'voice.m4a');
    const request = new Request('http://portal.test/api/v1/complaints', { method: 'POST', body: form });
    const filed = await app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { ...bearer(citizen.token), 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const complaint = filed.json();
    expect(complaint.district.code).toBe('peshawar');
    expect(complaint.department.code).toBe('phe');
    expect(complaint.office.code).toBe('phe.peshawar');

    const detail = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/complaints/${complaint.id}`,
        headers: bearer(citizen.token),
      })
    ).json();
    expect(detail.media.map((m: { kind: string }) => m.kind).sort()).toEqual(['audio', 'photo']);
    const photo = detail.media.find((m: { kind: string }) => m.kind === 'photo');
    const stored = await app.inject({ method: 'GET', url: photo.url, headers: bearer(citizen.token) });
    expect(stored.statusCode).toBe(200);
    expect(stored.rawPayload.includes(Buffer.from('GPS'))).toBe(false);
    expect(stored.rawPayload.includes(Buffer.from('CheapPhone'))).toBe(false);

    // 2. The Peshawar water office starts it and forwards it to the municipal office.
    const act = (token: string, body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/staff/complaints/${complaint.id}/actions`,
        headers: bearer(token),
        payload: body,
      });
    const queue = (
      await app.inject({ method: 'GET', url: '/api/v1/staff/complaints', headers: bearer(pheOfficer.token) })
    ).json();
    expect(queue.items.map((i: { id: number }) => i.id)).toContain(complaint.id);
    expect((await act(pheOfficer.token, { type: 'start' })).statusCode).toBe(200);
    const lgOffice = (await app.services.routing.offices({})).find(
      (o) => o.code === 'local-government.peshawar',
    )!;
    const forwarded = await act(pheOfficer.token, {
      type: 'forward',
      officeId: lgOffice.id,
      reason: 'The burst main is on a TMA road.',
    });
    expect(forwarded.statusCode, forwarded.body).toBe(200);
    expect((await act(pheOfficer.token, { type: 'note', message: 'Out of our hands now.' })).statusCode).toBe(
      404,
    );

    // 3. The receiving office resolves it with an action-taken report and an evidence photo.
    const resolveForm = new FormData();
    resolveForm.set('type', 'resolve');
    resolveForm.set('message', 'Pipe replaced and the street drained by the TMA crew.');
    resolveForm.append(
      'media',
      new Blob([await jpeg(640, 480, '#208020')], { type: 'image/jpeg' }),
      'after.jpg',
    );
    const resolveRequest = new Request('http://portal.test/x', { method: 'POST', body: resolveForm });
    const resolve = (payload: Buffer, type: string) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/staff/complaints/${complaint.id}/actions`,
        headers: { ...bearer(lgOfficer.token), 'content-type': type },
        payload,
      });
    const resolveBody = Buffer.from(await resolveRequest.arrayBuffer());
    const resolveType = resolveRequest.headers.get('content-type')!;
    const resolved = await resolve(resolveBody, resolveType);
    expect(resolved.statusCode, resolved.body).toBe(200);

    // 4. Not satisfied: it reopens with the same office, escalated a level.
    const feedback = (body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/complaints/${complaint.id}/feedback`,
        headers: bearer(citizen.token),
        payload: body,
      });
    expect(
      (
        await feedback({ satisfied: false, rating: 2, comment: 'Water is still leaking at the corner.' })
      ).json(),
    ).toEqual({
      status: 'reopened',
      escalationLevel: 1,
    });
    expect((await act(lgOfficer.token, { type: 'start' })).statusCode).toBe(200);
    expect(
      (
        await act(lgOfficer.token, {
          type: 'resolve',
          message: 'Corner joint sealed and tested under pressure.',
        })
      ).statusCode,
    ).toBe(200);
    const closed = await feedback({ satisfied: true, rating: 5, comment: 'Fixed, thank you.' });
    expect(closed.json().status).toBe('closed');

    // 5. The citizen saw every public step, and nothing internal.
    const final = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/complaints/${complaint.id}`,
        headers: bearer(citizen.token),
      })
    ).json();
    expect(final.timeline.map((e: { type: string }) => e.type)).toEqual([
      'submitted',
      'assigned',
      'in_progress',
      'forwarded',
      'resolved',
      'reopened',
      'in_progress',
      'resolved',
      'closed',
    ]);
    expect(final.closeReason).toBe('satisfied');
    expect(final.office.code).toBe('local-government.peshawar');
    expect(final.media.filter((m: { kind: string }) => m.kind === 'photo')).toHaveLength(2);
    expect(JSON.stringify(final)).not.toContain('TMA road');

    const inbox = (
      await app.inject({ method: 'GET', url: '/api/v1/inbox?limit=100', headers: bearer(citizen.token) })
    ).json();
    const kinds = inbox.items
      .filter((i: { complaintId: number }) => i.complaintId === complaint.id)
      .map((i: { kind: string }) => i.kind)
      .reverse();
    // Everything the government did; the citizen's own feedback is not sent back to them.
    expect(kinds).toEqual([
      'submitted',
      'assigned',
      'in_progress',
      'forwarded',
      'resolved',
      'in_progress',
      'resolved',
    ]);
    expect(inbox.items[0].title).toMatch(/[\u0600-\u06FF]/);
    expect(inbox.items.find((i: { kind: string }) => i.kind === 'resolved').body).toMatch(
      /Corner joint sealed/,
    );

    // 6. Every step is in the audit chain, and it verifies.
    const audited = await portal.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'complaint')
      .where('entity_id', '=', String(complaint.id))
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual(
      final.timeline.map((e: { type: string }) => `complaint.${e.type}`),
    );
    expect(await app.services.audit.verify()).toMatchObject({ ok: true });
  });
});
