import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint, refIds, staffAction } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { audio, jpeg } from '../../../test/media-samples.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

type Staff = Awaited<ReturnType<typeof buildStaff>>;

describe('casework: the staff queue, the case file and the actions', () => {
  let portal: TestPortal;
  let ref: Awaited<ReturnType<typeof refIds>>;
  let amina: RegisteredCitizen;
  let bilal: RegisteredCitizen;
  let officer: Staff; // phe, Peshawar
  let swatOfficer: Staff; // phe, Swat
  let roadsOfficer: Staff; // cw, Peshawar
  let supervisor: Staff; // phe, every district
  let mardanSupervisor: Staff; // phe, Mardan only
  let admin: Staff;

  beforeAll(async () => {
    // The sweep must not run on its own during these tests: they set deadlines by hand.
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
    ref = await refIds(portal);
    [amina, bilal] = [await buildCitizen(portal), await buildCitizen(portal)];
    officer = await buildStaff(portal, {
      role: 'officer',
      department: 'phe',
      districts: ['peshawar', 'charsadda', 'nowshera'],
    });
    swatOfficer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['swat'] });
    roadsOfficer = await buildStaff(portal, { role: 'officer', department: 'cw', districts: ['peshawar'] });
    supervisor = await buildStaff(portal, { role: 'supervisor', department: 'phe', districts: [] });
    mardanSupervisor = await buildStaff(portal, {
      role: 'supervisor',
      department: 'phe',
      districts: ['mardan'],
    });
    admin = await buildStaff(portal, { role: 'admin' });
  });
  afterAll(async () => portal?.destroy());

  const get = (url: string, token?: string) =>
    portal.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
  const act = (id: number, token: string | undefined, payload: Record<string, unknown>) =>
    staffAction(portal, id, token, payload);
  const events = (id: number) =>
    portal.database.db
      .selectFrom('complaint_events')
      .selectAll()
      .where('complaint_id', '=', id)
      .orderBy('id')
      .execute();
  const row = (id: number) =>
    portal.database.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  describe('who may see and act', () => {
    it('the queue: 401 without a session, 403 for citizens, each staff member their own scope', async () => {
      const c = await buildComplaint(portal, { citizenId: amina.id });
      expect((await get('/api/v1/staff/complaints')).statusCode).toBe(401);
      const asCitizen = await get('/api/v1/staff/complaints', amina.token);
      expect(asCitizen.statusCode).toBe(403);
      expect(errorOf(asCitizen).code).toBe('wrong_account_type');

      const ids = async (who: Staff) => {
        const res = await get('/api/v1/staff/complaints?limit=100', who.token);
        expect(res.statusCode).toBe(200);
        return res.json().items.map((i: { id: number }) => i.id);
      };
      expect(await ids(officer)).toContain(c.id);
      expect(await ids(supervisor)).toContain(c.id);
      expect(await ids(admin)).toContain(c.id);
      expect(await ids(swatOfficer)).not.toContain(c.id);
      expect(await ids(roadsOfficer)).not.toContain(c.id);
      expect(await ids(mardanSupervisor)).not.toContain(c.id);
    });

    it('the case file and the actions: 404 outside the scope, so existence does not leak', async () => {
      const c = await buildComplaint(portal, { citizenId: amina.id });
      const url = `/api/v1/staff/complaints/${c.id}`;
      expect((await get(url)).statusCode).toBe(401);
      expect((await get(url, amina.token)).statusCode).toBe(403);
      for (const who of [swatOfficer, roadsOfficer, mardanSupervisor]) {
        const res = await get(url, who.token);
        expect(res.statusCode).toBe(404);
        expect(errorOf(res).code).toBe('not_found');
        expect((await act(c.id, who.token, { type: 'note', message: 'hello' })).statusCode).toBe(404);
      }
      // Exactly like a complaint that does not exist.
      expect(errorOf(await get('/api/v1/staff/complaints/99999999', officer.token))).toEqual(
        errorOf(await get(url, swatOfficer.token)),
      );
      expect((await act(c.id, undefined, { type: 'note', message: 'hello' })).statusCode).toBe(401);
      expect((await act(c.id, amina.token, { type: 'note', message: 'hello' })).statusCode).toBe(403);
      for (const who of [officer, supervisor, admin]) {
        expect((await get(url, who.token)).statusCode).toBe(200);
        expect((await act(c.id, who.token, { type: 'note', message: 'seen' })).statusCode).toBe(200);
      }
      expect((await events(c.id)).filter((e) => e.type === 'note')).toHaveLength(3);
    });

    it('the triage queue (no office) is for admins only', async () => {
      const c = await buildComplaint(portal, { triage: true });
      expect(c.officeId).toBeNull();
      const forOfficer = await get('/api/v1/staff/complaints?triage=true', officer.token);
      expect(forOfficer.statusCode).toBe(403);
      expect(errorOf(forOfficer).code).toBe('triage_admins_only');
      expect((await get('/api/v1/staff/complaints?triage=true', supervisor.token)).statusCode).toBe(403);
      const all = await get('/api/v1/staff/complaints?limit=100', supervisor.token);
      expect(all.json().items.map((i: { id: number }) => i.id)).not.toContain(c.id);
      expect((await get(`/api/v1/staff/complaints/${c.id}`, supervisor.token)).statusCode).toBe(404);

      const triage = await get('/api/v1/staff/complaints?triage=true&limit=100', admin.token);
      expect(triage.statusCode).toBe(200);
      const body = triage.json();
      expect(body.items.map((i: { id: number }) => i.id)).toContain(c.id);
      expect(body.items.every((i: { office: unknown }) => i.office === null)).toBe(true);
      expect(body.counts.submitted).toBeGreaterThanOrEqual(1);

      // An admin sends it on: it leaves triage for the office, which now sees it.
      const res = await act(c.id, admin.token, {
        type: 'forward',
        officeId: ref.office('phe.peshawar'),
        reason: 'Water supply in Peshawar city.',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('assigned');
      expect((await get(`/api/v1/staff/complaints/${c.id}`, officer.token)).statusCode).toBe(200);
      const after = await get('/api/v1/staff/complaints?triage=true&limit=100', admin.token);
      expect(after.json().items.map((i: { id: number }) => i.id)).not.toContain(c.id);
    });
  });

  describe('the queue', () => {
    it('pages newest first with an opaque cursor; a malformed cursor is a 400', async () => {
      const made: number[] = [];
      for (let i = 0; i < 7; i++) made.push((await buildComplaint(portal, { district: 'charsadda' })).id);
      const office = ref.office('phe.charsadda');
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(
          `/api/v1/staff/complaints?office=${office}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          officer.token,
        );
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.items.length).toBeLessThanOrEqual(3);
        seen.push(...body.items.map((i: { id: number }) => i.id));
        cursor = body.nextCursor;
        if (cursor) expect(cursor).not.toMatch(/^\d+$/);
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...made].sort((a, b) => b - a));

      for (const bad of ['abc', '!!', 'YzA', Buffer.from('c-5').toString('base64url'), 'x'.repeat(41)]) {
        const res = await get(`/api/v1/staff/complaints?cursor=${encodeURIComponent(bad)}`, officer.token);
        expect(res.statusCode).toBe(400);
        expect(errorOf(res).code).toBe('validation_failed');
      }
      for (const q of ['limit=0', 'limit=101', 'limit=ten', 'status=open', 'from=yesterday', 'sort=id']) {
        expect((await get(`/api/v1/staff/complaints?${q}`, officer.token)).statusCode).toBe(400);
      }
    });

    it('counts per status come from the counters and follow every action', async () => {
      const office = ref.office('phe.nowshera');
      const counts = async () =>
        (await get(`/api/v1/staff/complaints?office=${office}&limit=1`, officer.token)).json().counts;
      const before = await counts();
      const a = await buildComplaint(portal, { district: 'nowshera' });
      const b = await buildComplaint(portal, { district: 'nowshera' });
      await buildComplaint(portal, { district: 'nowshera' });
      await act(a.id, officer.token, { type: 'start' });
      await act(b.id, officer.token, { type: 'resolve', message: 'Pipe repaired and supply restored.' });
      const after = await counts();
      expect(after.assigned - before.assigned).toBe(1);
      expect(after.in_progress - before.in_progress).toBe(1);
      expect(after.resolved - before.resolved).toBe(1);
      // Equal to counting the rows themselves.
      const rows = await portal.database.db
        .selectFrom('complaints')
        .select(['status'])
        .where('office_id', '=', office)
        .execute();
      for (const s of ['assigned', 'in_progress', 'resolved'] as const) {
        expect(after[s]).toBe(rows.filter((r) => r.status === s).length);
      }
      // Out of scope: nothing counted.
      const swat = (await get(`/api/v1/staff/complaints?office=${office}`, swatOfficer.token)).json();
      expect(swat.items).toEqual([]);
      expect(Object.values(swat.counts).every((n) => n === 0)).toBe(true);
    });

    it('filters by status, category, district, office, dates, overdue and escalation', async () => {
      const past = new Date(Date.now() - 3_600_000);
      const leak = await buildComplaint(portal, { district: 'charsadda', category: 'water-supply-leakage' });
      const late = await buildComplaint(portal, { district: 'charsadda', dueAt: past });
      const old = await buildComplaint(portal, {
        district: 'charsadda',
        createdAt: new Date('2025-01-10T10:00:00Z'),
      });
      await act(leak.id, officer.token, { type: 'start' });
      await portal.database.db.transaction().execute((trx) =>
        portal.app.services.lifecycle.apply(trx, late.id, {
          type: 'escalated',
          visibility: 'public',
          actor: { type: 'system', id: null },
          patch: { escalation_level: 1, escalated_at: new Date().toISOString() },
        }),
      );
      const list = async (q: string, who: Staff = officer) => {
        const res = await get(`/api/v1/staff/complaints?limit=100&${q}`, who.token);
        expect(res.statusCode).toBe(200);
        return res.json().items as { id: number; status: string; overdue: boolean }[];
      };
      const ids = async (q: string, who?: Staff) => (await list(q, who)).map((i) => i.id);

      expect(await ids('status=in_progress')).toContain(leak.id);
      expect(await ids('status=assigned')).not.toContain(leak.id);
      const both = await list('status=in_progress&status=assigned');
      expect(both.map((i) => i.id)).toEqual(expect.arrayContaining([leak.id, late.id]));
      expect(both.every((i) => ['in_progress', 'assigned'].includes(i.status))).toBe(true);

      // A top-level category takes in its sub-categories.
      expect(await ids(`category=${ref.category('water-supply')}`)).toContain(leak.id);
      expect(await ids(`category=${ref.category('water-supply-leakage')}`)).toContain(leak.id);
      expect(await ids(`category=${ref.category('water-supply-no-water')}`)).not.toContain(leak.id);

      expect(await ids(`district=${ref.district('charsadda')}`)).toContain(late.id);
      expect(await ids(`district=${ref.district('peshawar')}`)).not.toContain(late.id);
      expect(await ids(`office=${ref.office('phe.peshawar')}`)).not.toContain(late.id);
      // An office outside the caller's scope is simply empty.
      expect(await ids(`office=${ref.office('phe.swat')}`)).toEqual([]);

      const overdue = await list('overdue=true');
      expect(overdue.map((i) => i.id)).toContain(late.id);
      expect(overdue.map((i) => i.id)).not.toContain(leak.id);
      expect(overdue.every((i) => i.overdue)).toBe(true);
      expect(await ids('escalated=true')).toEqual([late.id]);

      expect(await ids('from=2025-01-10&to=2025-01-10')).toEqual([old.id]);
      expect(await ids('from=2025-01-09T00:00:00Z&to=2025-01-10T09:59:59Z')).toEqual([]);
      expect(await ids('to=2025-01-11')).toEqual([old.id]);
      const backwards = await get('/api/v1/staff/complaints?from=2025-02-01&to=2025-01-01', officer.token);
      expect(backwards.statusCode).toBe(400);
      expect(errorOf(backwards).fields).toHaveProperty('to');
    });

    it('items carry what the list shows, with an excerpt of the description', async () => {
      const long = `Sewage overflow near the main bazaar. ${'x'.repeat(400)}`;
      const c = await buildComplaint(portal, { district: 'charsadda', description: long });
      const items = (await get('/api/v1/staff/complaints?limit=5', officer.token)).json().items;
      const item = items.find((i: { id: number }) => i.id === c.id);
      expect(item).toMatchObject({
        id: c.id,
        trackingNumber: c.trackingNumber,
        status: 'assigned',
        category: { code: 'water-supply-no-water' },
        district: { code: 'charsadda' },
        office: { code: 'phe.charsadda' },
        overdue: false,
        escalationLevel: 0,
        supportCount: 0,
        mediaCount: 0,
      });
      expect(item.excerpt.startsWith('Sewage overflow near the main bazaar.')).toBe(true);
      expect(item.excerpt.length).toBeLessThanOrEqual(160);
      expect(item.excerpt.endsWith('\u2026')).toBe(true);
    });
  });

  describe('text search', () => {
    let tanker: number;
    let valve: number;
    beforeAll(async () => {
      tanker = (
        await buildComplaint(portal, {
          description: 'Zorbaxian tanker driver demands bribe near Qissa Khwani',
          address: 'Qissa Khwani bazaar',
        })
      ).id;
      valve = (
        await buildComplaint(portal, { description: 'Broken zorbaxian valve leaking "all night" * NEAR' })
      ).id;
    });
    const search = async (q: string, who: Staff = officer) => {
      const res = await get(`/api/v1/staff/complaints?limit=100&q=${encodeURIComponent(q)}`, who.token);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.map((i: { id: number }) => i.id) as number[];
    };

    it('finds words in the description and the address, every word required, any case', async () => {
      expect((await search('zorbaxian')).sort()).toEqual([tanker, valve].sort());
      expect(await search('ZORBAXIAN tanker')).toEqual([tanker]);
      expect(await search('zorbaxian khwani')).toEqual([tanker]);
      expect(await search('zorbaxian bazaar')).toEqual([tanker]);
      expect(await search('zorbaxian submarine')).toEqual([]);
      // Only within the caller's scope.
      expect(await search('zorbaxian', swatOfficer)).toEqual([]);
      expect((await search('zorbaxian', admin)).sort()).toEqual([tanker, valve].sort());
    });

    it('a tracking number typed in the box finds its complaint', async () => {
      const c = await buildComplaint(portal, { district: 'charsadda' });
      expect(await search(c.trackingNumber)).toEqual([c.id]);
      expect(await search(c.trackingNumber.toLowerCase())).toEqual([c.id]);
      expect(await search(`  ${c.trackingNumber} `)).toEqual([c.id]);
    });

    it('reads FTS syntax and SQL in the input as plain words: never an error, never a wider match', async () => {
      const hostile = [
        '"',
        '"zorbaxian',
        'zorbaxian"',
        '*',
        'zorbax*',
        'zorbaxian OR tanker',
        'NEAR(zorbaxian tanker)',
        'zorbaxian NEAR valve',
        'description:zorbaxian',
        '^zorbaxian',
        '(zorbaxian',
        'zorbaxian AND',
        'NOT zorbaxian',
        '-zorbaxian',
        "'; drop table complaints; --",
        "zorbaxian' OR '1'='1",
        '\\',
        '{}[]',
        '\u0000',
      ];
      for (const q of hostile) await search(q);
      expect(await search('zorbax*')).toEqual([]);
      expect(await search('zorbaxian OR tanker')).toEqual([]);
      expect(await search('"all night"')).toEqual([valve]);
      // NEAR is a word here, not an operator: the tanker's description has "near", the valve's "NEAR".
      expect((await search('NEAR zorbaxian')).sort()).toEqual([tanker, valve].sort());
      expect(await search('zorbaxian NEAR valve')).toEqual([valve]);
      expect(await search("zorbaxian' OR '1'='1")).toEqual([]);
      expect(await search('*')).toEqual([]);
      const count = await portal.database.db
        .selectFrom('complaints')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBeGreaterThan(0);
      expect((await get(`/api/v1/staff/complaints?q=${'a'.repeat(201)}`, officer.token)).statusCode).toBe(
        400,
      );
      expect((await get('/api/v1/staff/complaints?q=', officer.token)).statusCode).toBe(400);
    });
  });

  describe('the case file', () => {
    it('has the complainant, the full timeline with internal notes marked, and the office hops', async () => {
      const c = await buildComplaint(portal, { citizenId: amina.id });
      await act(c.id, officer.token, { type: 'note', message: 'Checked with the tubewell operator.' });
      await act(c.id, officer.token, { type: 'reply', message: 'A team visits tomorrow.' });
      await act(c.id, officer.token, {
        type: 'forward',
        officeId: ref.office('phe.charsadda'),
        reason: 'The street is on the Charsadda side.',
      });
      await act(c.id, officer.token, {
        type: 'forward',
        departmentId: ref.department('phe'),
        reason: 'Sent back: Peshawar after all.',
      });
      const res = await get(`/api/v1/staff/complaints/${c.id}`, supervisor.token);
      expect(res.statusCode).toBe(200);
      const d = res.json();
      expect(d.complainant).toEqual({ id: amina.id, name: 'Amina Khan', mobile: amina.mobile });
      expect(d.office.code).toBe('phe.peshawar');
      expect(d.timeline.map((e: { type: string }) => e.type)).toEqual([
        'submitted',
        'assigned',
        'note',
        'reply',
        'forwarded',
        'forwarded',
      ]);
      const note = d.timeline.find((e: { type: string }) => e.type === 'note');
      expect(note).toMatchObject({ internal: true, message: 'Checked with the tubewell operator.' });
      expect(d.timeline.find((e: { type: string }) => e.type === 'reply').internal).toBe(false);
      expect(
        d.forwarding.map(
          (h: { from: { code: string } | null; to: { code: string }; reason: string | null }) => [
            h.from?.code ?? null,
            h.to.code,
            h.reason,
          ],
        ),
      ).toEqual([
        [null, 'phe.peshawar', null],
        ['phe.peshawar', 'phe.charsadda', 'The street is on the Charsadda side.'],
        ['phe.charsadda', 'phe.peshawar', 'Sent back: Peshawar after all.'],
      ]);
      expect(d.supportCount).toBe(0);
      expect(d.media).toEqual([]);

      // The citizen sees the reply and where it went, never the note or the offices' own words.
      const mine = (await get(`/api/v1/complaints/${c.id}`, amina.token)).json();
      expect(mine.timeline.map((e: { type: string }) => e.type)).not.toContain('note');
      expect(mine.timeline.map((e: { type: string }) => e.type)).toContain('reply');
      expect(JSON.stringify(mine)).not.toContain('Checked with the tubewell operator');
      expect(JSON.stringify(mine)).not.toContain('Charsadda side');
      const noteEvent = (await events(c.id)).find((e) => e.type === 'note')!;
      const inbox = await portal.database.db
        .selectFrom('inbox_items')
        .select('id')
        .where('event_id', '=', noteEvent.id)
        .execute();
      expect(inbox).toEqual([]);
    });

    it('lists possible duplicates: open, same category, within the radius, not itself', async () => {
      const at = { lat: 34.0151, lng: 71.5249 };
      const c = await buildComplaint(portal, at);
      const near = await buildComplaint(portal, { lat: at.lat + 0.0003, lng: at.lng }); // ~33 m
      const far = await buildComplaint(portal, { lat: at.lat + 0.01, lng: at.lng }); // ~1.1 km
      const other = await buildComplaint(portal, { ...at, category: 'roads-potholes' });
      const closed = await buildComplaint(portal, { lat: at.lat, lng: at.lng + 0.0002 });
      await act(closed.id, officer.token, {
        type: 'reject',
        reason: 'irrelevant',
        message: 'Not a complaint.',
      });
      const d = (await get(`/api/v1/staff/complaints/${c.id}`, officer.token)).json();
      const dupIds = d.duplicates.map((x: { id: number }) => x.id);
      expect(dupIds).toContain(near.id);
      for (const id of [c.id, far.id, other.id, closed.id]) expect(dupIds).not.toContain(id);
      const dup = d.duplicates.find((x: { id: number }) => x.id === near.id);
      expect(dup.distanceM).toBeGreaterThan(20);
      expect(dup.distanceM).toBeLessThan(50);
    });
  });

  describe('actions', () => {
    it('start: assigned -> in_progress once; a second start is a 409 and adds nothing', async () => {
      const c = await buildComplaint(portal, { citizenId: amina.id });
      const res = await act(c.id, officer.token, { type: 'start' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'in_progress',
        event: { type: 'in_progress', internal: false },
      });
      const again = await act(c.id, officer.token, { type: 'start' });
      expect(again.statusCode).toBe(409);
      expect(errorOf(again).code).toBe('invalid_transition');
      expect((await events(c.id)).filter((e) => e.type === 'in_progress')).toHaveLength(1);
    });

    it('two starts at once: one wins, the other is a 409, one event', async () => {
      const c = await buildComplaint(portal);
      const results = await Promise.all([
        act(c.id, officer.token, { type: 'start' }),
        act(c.id, supervisor.token, { type: 'start' }),
      ]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expect((await events(c.id)).filter((e) => e.type === 'in_progress')).toHaveLength(1);
      expect((await row(c.id)).status).toBe('in_progress');
    });

    it('forward: to another office or department, the hop recorded; bad targets refused', async () => {
      const c = await buildComplaint(portal);
      await act(c.id, officer.token, { type: 'start' });
      const noReason = await act(c.id, officer.token, { type: 'forward', officeId: ref.office('phe.swat') });
      expect(noReason.statusCode).toBe(400);
      expect(errorOf(noReason).fields).toHaveProperty('reason');
      const both = await act(c.id, officer.token, {
        type: 'forward',
        officeId: ref.office('phe.swat'),
        departmentId: ref.department('cw'),
        reason: 'Both',
      });
      expect(both.statusCode).toBe(400);
      const same = await act(c.id, officer.token, {
        type: 'forward',
        officeId: ref.office('phe.peshawar'),
        reason: 'Same place',
      });
      expect(same.statusCode).toBe(409);
      expect(errorOf(same).code).toBe('same_office');
      const unknown = await act(c.id, officer.token, {
        type: 'forward',
        officeId: 987654,
        reason: 'Nowhere',
      });
      expect(unknown.statusCode).toBe(400);
      expect(errorOf(unknown).fields).toHaveProperty('officeId');

      const closedOffice = await portal.app.services.routing.createOffice({
        code: `phe.closed-${c.id}`,
        departmentId: ref.department('phe'),
        districtId: ref.district('peshawar'),
        name: 'Closed office',
        nameUr: 'بند دفتر',
        namePs: 'تړلی دفتر',
        active: false,
      });
      const inactive = await act(c.id, officer.token, {
        type: 'forward',
        officeId: closedOffice.id,
        reason: 'Closed',
      });
      expect(inactive.statusCode).toBe(400);
      expect((await events(c.id)).map((e) => e.type)).toEqual(['submitted', 'assigned', 'in_progress']);

      // To the roads department: its office in the complaint's district takes it.
      const res = await act(c.id, officer.token, {
        type: 'forward',
        departmentId: ref.department('cw'),
        reason: 'The pipe is under a road the C&W department is digging.',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'assigned', event: { type: 'forwarded' } });
      const moved = await row(c.id);
      expect(moved.office_id).toBe(ref.office('cw.peshawar'));
      expect(moved.department_id).toBe(ref.department('cw'));
      // The first office no longer sees it; the roads officer does.
      expect((await get(`/api/v1/staff/complaints/${c.id}`, officer.token)).statusCode).toBe(404);
      expect((await act(c.id, officer.token, { type: 'start' })).statusCode).toBe(404);
      const file = (await get(`/api/v1/staff/complaints/${c.id}`, roadsOfficer.token)).json();
      expect(file.forwarding.at(-1)).toMatchObject({
        from: { code: 'phe.peshawar' },
        to: { code: 'cw.peshawar' },
        reason: 'The pipe is under a road the C&W department is digging.',
      });
      const noOffice = await act(c.id, roadsOfficer.token, {
        type: 'forward',
        departmentId: 999_999,
        reason: 'Nobody',
      });
      expect(noOffice.statusCode).toBe(400);
    });

    it('resolve: needs an action-taken report; sets resolved_at; does not close; not twice', async () => {
      const c = await buildComplaint(portal, { citizenId: amina.id });
      const short = await act(c.id, officer.token, { type: 'resolve', message: 'done' });
      expect(short.statusCode).toBe(400);
      expect(errorOf(short).fields).toHaveProperty('message');
      const blank = await act(c.id, officer.token, { type: 'resolve', message: '          \n   ' });
      expect(blank.statusCode).toBe(400);
      const res = await act(c.id, officer.token, {
        type: 'resolve',
        message: 'Replaced the broken valve; supply restored on 12 March.',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('resolved');
      const r = await row(c.id);
      expect(r.resolved_at).not.toBeNull();
      expect(r.closed_at).toBeNull();
      const again = await act(c.id, officer.token, { type: 'resolve', message: 'Resolved it once more.' });
      expect(again.statusCode).toBe(409);
      expect((await act(c.id, officer.token, { type: 'start' })).statusCode).toBe(409);
      const citizenView = (await get(`/api/v1/complaints/${c.id}`, amina.token)).json();
      expect(citizenView.canGiveFeedback).toBe(true);
    });

    it('resolve with evidence photos (multipart): attached to the resolve event; other files refused', async () => {
      const form = (
        fields: Record<string, string>,
        files: { name: string; type: string; body: Buffer }[],
      ) => {
        const boundary = `----casework${Math.random().toString(16).slice(2)}`;
        const parts: Buffer[] = [];
        for (const [k, v] of Object.entries(fields)) {
          parts.push(
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
          );
        }
        for (const f of files) {
          parts.push(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`,
            ),
            f.body,
            Buffer.from('\r\n'),
          );
        }
        parts.push(Buffer.from(`--${boundary}--\r\n`));
        return { payload: Buffer.concat(parts), 'content-type': `multipart/form-data; boundary=${boundary}` };
      };
      const send = (id: number, f: ReturnType<typeof form>) =>
        portal.app.inject({
          method: 'POST',
          url: `/api/v1/staff/complaints/${id}/actions`,
          headers: { ...bearer(officer.token), 'content-type': f['content-type'] },
          payload: f.payload,
        });
      const media = (id: number) =>
        portal.database.db.selectFrom('media').selectAll().where('complaint_id', '=', id).execute();

      const c = await buildComplaint(portal, { citizenId: amina.id });
      const voice = await send(
        c.id,
        form({ type: 'resolve', message: 'Fixed, hear the pump running.' }, [
          { name: 'a.m4a', type: 'audio/mp4', body: audio.m4a() },
        ]),
      );
      expect(voice.statusCode).toBeGreaterThanOrEqual(400);
      expect(voice.statusCode).toBeLessThan(500);
      errorOf(voice);
      const withNote = await send(
        c.id,
        form({ type: 'note', message: 'A photo with a note' }, [
          { name: 'p.jpg', type: 'image/jpeg', body: await jpeg() },
        ]),
      );
      expect(withNote.statusCode).toBe(400);
      expect(errorOf(withNote).fields).toHaveProperty('media');
      const tooShort = await send(
        c.id,
        form({ type: 'resolve', message: 'done' }, [
          { name: 'p.jpg', type: 'image/jpeg', body: await jpeg() },
        ]),
      );
      expect(tooShort.statusCode).toBe(400);
      expect(await media(c.id)).toEqual([]);
      expect((await row(c.id)).status).toBe('assigned');

      const res = await send(
        c.id,
        form({ type: 'resolve', message: 'New valve fitted; photos of the repaired line attached.' }, [
          { name: 'before.jpg', type: 'image/jpeg', body: await jpeg(64, 48, '#aa0000') },
          { name: 'after.jpg', type: 'image/jpeg', body: await jpeg(64, 48, '#00aa00') },
        ]),
      );
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().status).toBe('resolved');
      const stored = await media(c.id);
      expect(stored).toHaveLength(2);
      expect(stored.every((m) => m.event_id === res.json().event.id && m.uploader_type === 'staff')).toBe(
        true,
      );
      const file = (await get(`/api/v1/staff/complaints/${c.id}`, officer.token)).json();
      expect(file.media).toHaveLength(2);
    });

    it('reject: a reason from the list; a duplicate names another complaint the caller can see', async () => {
      const c = await buildComplaint(portal, { citizenId: amina.id });
      const original = await buildComplaint(portal);
      const elsewhere = await buildComplaint(portal, { district: 'swat' });
      const cases: [Record<string, unknown>, string][] = [
        [{ type: 'reject', message: 'No reason' }, 'reason'],
        [{ type: 'reject', reason: 'boring', message: 'Bad reason' }, 'reason'],
        [{ type: 'reject', reason: 'duplicate', message: 'Same as another' }, 'duplicateOf'],
        [{ type: 'reject', reason: 'illegal', message: 'x', duplicateOf: original.id }, 'duplicateOf'],
        [{ type: 'reject', reason: 'irrelevant' }, 'message'],
        [{ type: 'reject', reason: 'duplicate', message: 'Same', duplicateOf: c.id }, 'duplicateOf'],
        [{ type: 'reject', reason: 'duplicate', message: 'Same', duplicateOf: elsewhere.id }, 'duplicateOf'],
        [{ type: 'reject', reason: 'duplicate', message: 'Same', duplicateOf: 99_999_999 }, 'duplicateOf'],
      ];
      for (const [body, field] of cases) {
        const res = await act(c.id, officer.token, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(errorOf(res).fields).toHaveProperty(field);
      }
      expect((await row(c.id)).status).toBe('assigned');
      const res = await act(c.id, officer.token, {
        type: 'reject',
        reason: 'duplicate',
        message: 'The same leak is already being fixed under another complaint.',
        duplicateOf: original.id,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('rejected');
      const r = await row(c.id);
      expect(r.rejection_reason).toBe('duplicate');
      expect(res.json().event.data).toMatchObject({ reason: 'duplicate', duplicateOfId: original.id });
      expect(
        (await act(c.id, officer.token, { type: 'reject', reason: 'illegal', message: 'x' })).statusCode,
      ).toBe(409);
      expect((await act(c.id, officer.token, { type: 'reply', message: 'Hello?' })).statusCode).toBe(409);
    });

    it('note and reply: text with SQL and HTML is stored and returned as it was typed', async () => {
      const c = await buildComplaint(portal, { citizenId: amina.id });
      const text = `<script>alert("x")</script> '); drop table complaints; -- \u0627\u0631\u062f\u0648`;
      const note = await act(c.id, officer.token, { type: 'note', message: text });
      expect(note.statusCode).toBe(200);
      expect(note.json().event).toMatchObject({ type: 'note', internal: true, message: text });
      const reply = await act(c.id, officer.token, { type: 'reply', message: text });
      expect(reply.json().event).toMatchObject({ type: 'reply', internal: false, message: text });
      const mine = (await get(`/api/v1/complaints/${c.id}`, amina.token)).json();
      expect(mine.timeline.filter((e: { message: string }) => e.message === text)).toHaveLength(1);
      expect((await row(c.id)).status).toBe('assigned');
    });

    it('merge: closes this one as merged; its complainant supports the other, which records it', async () => {
      const target = await buildComplaint(portal, { citizenId: bilal.id });
      const source = await buildComplaint(portal, { citizenId: amina.id });
      const closed = await buildComplaint(portal);
      await act(closed.id, officer.token, { type: 'reject', reason: 'irrelevant', message: 'Not ours.' });
      const elsewhere = await buildComplaint(portal, { district: 'swat' });

      expect((await act(source.id, officer.token, { type: 'merge', into: source.id })).statusCode).toBe(400);
      expect((await act(source.id, officer.token, { type: 'merge', into: elsewhere.id })).statusCode).toBe(
        400,
      );
      expect((await act(source.id, officer.token, { type: 'merge', into: 99_999_999 })).statusCode).toBe(400);
      const intoClosed = await act(source.id, officer.token, { type: 'merge', into: closed.id });
      expect(intoClosed.statusCode).toBe(409);
      expect(errorOf(intoClosed).code).toBe('target_not_open');
      expect((await act(source.id, officer.token, { type: 'merge' })).statusCode).toBe(400);
      expect((await row(source.id)).status).toBe('assigned');

      const res = await act(source.id, officer.token, { type: 'merge', into: target.id });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'closed',
        event: { type: 'merged', data: { intoId: target.id } },
      });
      const s = await row(source.id);
      expect(s).toMatchObject({ status: 'closed', close_reason: 'merged', merged_into_id: target.id });
      expect(s.closed_at).not.toBeNull();
      const t = await row(target.id);
      expect(t.support_count).toBe(1);
      const supporters = await portal.database.db
        .selectFrom('complaint_supporters')
        .select('citizen_id')
        .where('complaint_id', '=', target.id)
        .execute();
      expect(supporters.map((x) => x.citizen_id)).toEqual([amina.id]);
      const onTarget = (await events(target.id)).filter((e) => e.type === 'merged');
      expect(onTarget).toHaveLength(1);
      expect(onTarget[0]!.visibility).toBe('internal');

      // Merged once: a second merge finds it closed; merging into the merged one is refused too.
      expect((await act(source.id, officer.token, { type: 'merge', into: target.id })).statusCode).toBe(409);
      const third = await buildComplaint(portal, { citizenId: amina.id });
      expect((await act(third.id, officer.token, { type: 'merge', into: source.id })).statusCode).toBe(409);
      // The same citizen merged again adds no second support.
      expect((await act(third.id, officer.token, { type: 'merge', into: target.id })).statusCode).toBe(200);
      expect((await row(target.id)).support_count).toBe(1);
    });

    it('two merges crossing each other at once: one wins, nothing half-done', async () => {
      const a = await buildComplaint(portal, { citizenId: amina.id });
      const b = await buildComplaint(portal, { citizenId: bilal.id });
      const results = await Promise.all([
        act(a.id, officer.token, { type: 'merge', into: b.id }),
        act(b.id, supervisor.token, { type: 'merge', into: a.id }),
      ]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const [ra, rb] = [await row(a.id), await row(b.id)];
      expect([ra.status, rb.status].sort()).toEqual(['assigned', 'closed']);
      expect(ra.support_count + rb.support_count).toBe(1);
    });

    it('refuses malformed actions with a 400 and stores nothing', async () => {
      const c = await buildComplaint(portal);
      const bad: unknown[] = [
        {},
        { type: 'delete' },
        { type: 'START' },
        { type: 'note' },
        { type: 'note', message: '' },
        { type: 'note', message: 'x'.repeat(4001) },
        { type: 'note', message: 42 },
        { type: 'note', message: 'hi', extra: 1 },
        { type: 'start', into: c.id },
        { type: 'reply', message: 'hi', officeId: 'abc' },
        { type: 'forward', officeId: -1, reason: 'neg' },
        [],
        'start',
      ];
      for (const payload of bad) {
        const res = await portal.app.inject({
          method: 'POST',
          url: `/api/v1/staff/complaints/${c.id}/actions`,
          headers: { ...bearer(officer.token), 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        errorOf(res);
      }
      const broken = await portal.app.inject({
        method: 'POST',
        url: `/api/v1/staff/complaints/${c.id}/actions`,
        headers: { ...bearer(officer.token), 'content-type': 'application/json' },
        payload: '{"type": "note", ',
      });
      expect(broken.statusCode).toBe(400);
      const text = await portal.app.inject({
        method: 'POST',
        url: `/api/v1/staff/complaints/${c.id}/actions`,
        headers: { ...bearer(officer.token), 'content-type': 'text/plain' },
        payload: 'start',
      });
      expect(text.statusCode).toBe(415);
      expect((await act(0, officer.token, { type: 'start' })).statusCode).toBe(400);
      expect((await events(c.id)).map((e) => e.type)).toEqual(['submitted', 'assigned']);
    });
  });
});
