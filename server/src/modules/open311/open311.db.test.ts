import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff } from '../../../test/factories.js';
import { createTestPortal, type TestPortal } from '../../../test/portal.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCHEMAS = path.resolve(here, '../../../../../shared/open311/georeport-v2-schemas');
const haveSchemas = existsSync(path.join(SCHEMAS, 'services.json'));
if (!haveSchemas) console.log(`Open311 schema checks skipped: ${SCHEMAS} is absent.`);

/** Checks a JSON answer against the official GeoReport v2 schema when the folder is there. */
function validator() {
  if (!haveSchemas) return (_name: string, _data: unknown) => undefined;
  const ajv = addFormats.default(new Ajv({ allErrors: true, strict: false }));
  for (const name of ['request', 'requests', 'service', 'services', 'service-definition']) {
    const schema = JSON.parse(readFileSync(path.join(SCHEMAS, `${name}.json`), 'utf8'));
    ajv.addSchema({ ...schema, $id: `${name}.json` });
  }
  return (name: string, data: unknown) => {
    const validate = ajv.getSchema(`${name}.json`)!;
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  };
}

type Xml = { name: string; children: Xml[]; text: string };

/** A strict reader for the XML the spec uses (elements and text, no attributes): throws when not well formed. */
function parseXml(doc: string): Xml {
  let i = 0;
  const s = doc.replace(/^<\?xml [^?]*\?>\s*/, '');
  const decode = (t: string) =>
    t.replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e as 'lt']!,
    );
  function element(): Xml {
    const open = /^<([A-Za-z_][\w.-]*)(\/?)>/.exec(s.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${s.slice(i, i + 40)}`);
    i += open[0].length;
    const node: Xml = { name: open[1]!, children: [], text: '' };
    if (open[2]) return node;
    while (!s.startsWith(`</${node.name}>`, i)) {
      if (i >= s.length) throw new Error(`unclosed <${node.name}>`);
      if (s[i] === '<') node.children.push(element());
      else {
        const end = s.indexOf('<', i);
        const raw = s.slice(i, end);
        if (/&(?!(lt|gt|quot|apos|amp);)/.test(raw)) throw new Error(`bad entity in ${raw}`);
        node.text += decode(raw);
        i = end;
      }
    }
    i += node.name.length + 3;
    return node;
  }
  const root = element();
  if (s.slice(i).trim() !== '') throw new Error('content after the root element');
  return root;
}
const child = (x: Xml, name: string) => x.children.find((c) => c.name === name);

describe('Open311 GeoReport v2', () => {
  let portal: TestPortal;
  let key: string;
  const check = validator();
  const get = (url: string) => portal.app.inject({ method: 'GET', url });
  const post = (url: string, form: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return portal.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
  };
  const count = async () =>
    Number(
      (
        await portal.database.db
          .selectFrom('complaints')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const good = () => ({
    api_key: key,
    service_code: 'water-supply-no-water',
    lat: '34.0151',
    long: '71.5249',
    description: 'The public tap in our lane has been dry for four days.',
    first_name: 'Sana',
    last_name: 'Gul',
    email: 'sana@example.org',
    'attribute[supply_type]': 'pipeline',
    'attribute[days_without_water]': '4',
  });

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
    key = (await portal.app.services.apiKeys.create('City app', { type: 'system', id: null })).key;
  });
  afterAll(async () => portal?.destroy());

  it('the routes are in the OpenAPI document', async () => {
    const doc = await get('/api/openapi.json');
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json().paths);
    for (const p of [
      '/open311/v2/requests.json',
      '/open311/v2/services/{file}',
      '/api/v1/staff/dashboards/summary',
      '/api/v1/staff/dashboards/complaints',
      '/api/v1/public/figures',
      '/api/v1/staff/api-keys',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('discovery, in both formats', async () => {
    const json = await get('/open311/v2/discovery.json');
    expect(json.statusCode).toBe(200);
    expect(json.json().endpoints[0]).toMatchObject({
      type: 'production',
      formats: ['text/xml', 'application/json'],
    });
    const xml = await get('/open311/v2/discovery.xml');
    expect(xml.headers['content-type']).toMatch(/^text\/xml/);
    const root = parseXml(xml.body);
    expect(root.name).toBe('discovery');
    expect(
      child(child(child(root, 'endpoints')!, 'endpoint')!, 'formats')!.children.map((c) => c.text),
    ).toEqual(['text/xml', 'application/json']);
  });

  it('lists the categories as services; a category with questions has metadata and a definition', async () => {
    const res = await get('/open311/v2/services.json');
    expect(res.statusCode).toBe(200);
    const services = res.json();
    check('services', services);
    const water = services.find((s: { service_code: string }) => s.service_code === 'water-supply-no-water');
    expect(water).toMatchObject({ metadata: true, type: 'realtime' });
    expect(
      services.find((s: { service_code: string }) => s.service_code === 'water-supply-leakage').metadata,
    ).toBe(false);

    const def = await get('/open311/v2/services/water-supply-no-water.json');
    expect(def.statusCode).toBe(200);
    check('service-definition', def.json());
    expect(def.json().attributes.map((a: { code: string }) => a.code)).toEqual([
      'days_without_water',
      'supply_type',
    ]);
    const roads = (await get('/open311/v2/services/roads-potholes.json')).json();
    expect(roads.attributes.map((a: { datatype: string }) => a.datatype)).toEqual([
      'multivaluelist',
      'datetime',
    ]);

    const xml = parseXml((await get('/open311/v2/services.xml')).body);
    expect(xml.name).toBe('services');
    expect(xml.children.length).toBe(services.length);
    expect(child(xml.children[0]!, 'service_code')!.text).toBe(services[0].service_code);
    const defXml = parseXml((await get('/open311/v2/services/water-supply-no-water.xml')).body);
    expect(defXml.name).toBe('service_definition');
    const supply = child(defXml, 'attributes')!.children[1]!;
    expect(child(supply, 'values')!.children.map((v) => child(v, 'key')!.text)).toEqual([
      'pipeline',
      'tubewell',
      'tanker',
    ]);
  });

  it('errors are the spec\u2019s list of {code, description}, in JSON and XML', async () => {
    const json = await get('/open311/v2/services/no-such-thing.json');
    expect(json.statusCode).toBe(404);
    expect(json.json()).toEqual([{ code: 404, description: expect.any(String) }]);
    const xml = await get('/open311/v2/services/no-such-thing.xml');
    expect(xml.statusCode).toBe(404);
    const root = parseXml(xml.body);
    expect(root.name).toBe('errors');
    expect(child(root.children[0]!, 'code')!.text).toBe('404');
    expect((await get('/open311/v2/requests/KP-2020-999999.json')).statusCode).toBe(404);
    expect((await get('/open311/v2/nothing-here.json')).json()[0].code).toBe(404);
  });

  it('files a request with attributes through the same routing, deadline and counts as the app', async () => {
    const before = await count();
    const res = await post('/open311/v2/requests.json', good());
    expect(res.statusCode, res.body).toBe(201);
    const [created] = res.json();
    expect(created.service_request_id).toMatch(/^KP-\d{4}-\d{6}$/);
    expect(await count()).toBe(before + 1);
    const row = await portal.database.db
      .selectFrom('complaints')
      .selectAll()
      .where('tracking_number', '=', created.service_request_id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      source: 'open311',
      source_name: 'City app',
      citizen_id: null,
      status: 'assigned',
    });
    expect(row.office_id).not.toBeNull();
    expect(JSON.parse(row.attributes!)).toEqual({ supply_type: 'pipeline', days_without_water: 4 });
    expect(JSON.parse(row.reporter!)).toMatchObject({ email: 'sana@example.org', first_name: 'Sana' });
    const events = await portal.database.db
      .selectFrom('complaint_events')
      .select(['type', 'actor_type'])
      .where('complaint_id', '=', row.id)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { type: 'submitted', actor_type: 'api' },
      { type: 'assigned', actor_type: 'system' },
    ]);
    // The dashboards count it at once, and staff see it in their queue.
    const admin = await buildStaff(portal, { role: 'admin' });
    const summary = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/dashboards/summary',
      headers: bearer(admin.token),
    });
    expect(summary.json().figures.received).toBeGreaterThanOrEqual(1);
    const detail = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/staff/complaints/${row.id}`,
      headers: bearer(admin.token),
    });
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json()).toMatchObject({ source: 'open311', complainant: null });

    // Read back in both formats.
    const one = await get(`/open311/v2/requests/${created.service_request_id}.json`);
    expect(one.statusCode).toBe(200);
    check('requests', one.json());
    expect(one.json()[0]).toMatchObject({
      service_request_id: created.service_request_id,
      status: 'open',
      service_code: 'water-supply-no-water',
      description: 'The public tap in our lane has been dry for four days.',
      lat: 34.015,
      long: 71.525,
    });
    expect(one.json()[0].requested_datetime).toMatch(/(Z|[+-]\d{2}:\d{2})$/);
    const xml = parseXml((await get(`/open311/v2/requests/${created.service_request_id}.xml`)).body);
    expect(xml.name).toBe('service_requests');
    expect(child(xml.children[0]!, 'service_request_id')!.text).toBe(created.service_request_id);
    expect(child(xml.children[0]!, 'status')!.text).toBe('open');

    const postXml = await post('/open311/v2/requests.xml', { ...good(), 'attribute[supply_type]': 'tanker' });
    expect(postXml.statusCode).toBe(201);
    expect(child(parseXml(postXml.body).children[0]!, 'service_request_id')!.text).toMatch(/^KP-/);
  });

  it('the staff complaint view names the client and the reporter, the reporter to staff in scope only', async () => {
    const res = await post('/open311/v2/requests.json', { ...good(), phone: '+92 300 1234567' });
    expect(res.statusCode, res.body).toBe(201);
    const row = await portal.database.db
      .selectFrom('complaints')
      .select('id')
      .where('tracking_number', '=', res.json()[0].service_request_id)
      .executeTakeFirstOrThrow();
    const view = (token: string) =>
      portal.app.inject({ method: 'GET', url: `/api/v1/staff/complaints/${row.id}`, headers: bearer(token) });

    const inScope = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
    const mine = await view(inScope.token);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toMatchObject({
      source: 'open311',
      sourceName: 'City app',
      complainant: null,
      reporter: { name: 'Sana Gul', email: 'sana@example.org', phone: '+92 300 1234567' },
    });

    const outOfScope = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['swat'] });
    const theirs = await view(outOfScope.token);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain('sana@example.org');
    expect(theirs.body).not.toContain('City app');

    // A complaint from the citizen app has neither.
    const citizen = await buildCitizen(portal);
    const own = await buildComplaint(portal, { citizenId: citizen.id, category: 'water-supply-no-water' });
    const app = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/staff/complaints/${own.id}`,
      headers: bearer(inScope.token),
    });
    expect(app.json()).toMatchObject({ source: 'app', sourceName: null, reporter: null });
  });

  it('multivaluelist and datetime answers; an address names the district when there is no point', async () => {
    const res = await post('/open311/v2/requests.json', {
      api_key: key,
      service_code: 'roads-potholes',
      address_string: 'Main Bazaar road, near the school, Mardan',
      description: 'A deep pothole in front of the school gate.',
      'attribute[hazards][]': ['deep', 'school'],
      'attribute[noticed_at]': '2026-11-20T08:00:00+05:00',
    });
    expect(res.statusCode, res.body).toBe(201);
    const row = await portal.database.db
      .selectFrom('complaints')
      .innerJoin('districts', 'districts.id', 'complaints.district_id')
      .select(['complaints.attributes', 'districts.code'])
      .where('tracking_number', '=', res.json()[0].service_request_id)
      .executeTakeFirstOrThrow();
    expect(row.code).toBe('mardan');
    expect(JSON.parse(row.attributes!)).toEqual({
      hazards: ['deep', 'school'],
      noticed_at: '2026-11-20T03:00:00.000Z',
    });
  });

  it('refuses bad submissions with 400 or 403 and stores nothing', async () => {
    const before = await count();
    const cases: [number, Record<string, string | string[]>][] = [
      [403, { ...good(), api_key: '' }],
      [403, { ...good(), api_key: 'cp311_not-a-key' }],
      [400, { ...good(), service_code: '' }],
      [400, { ...good(), service_code: 'no-such-service' }],
      [400, { ...good(), 'attribute[supply_type]': '' }],
      [400, { ...good(), 'attribute[supply_type]': 'river' }],
      [400, { ...good(), 'attribute[days_without_water]': 'many' }],
      [400, { ...good(), 'attribute[colour]': 'blue' }],
      [400, { ...good(), long: '' }],
      [400, { ...good(), lat: '91', long: '71' }],
      [400, { ...good(), lat: '51.5', long: '-0.12' }],
      [400, { ...good(), lat: '34.01; drop table complaints', long: '71.5' }],
      [400, { ...good(), lat: '', long: '', address_string: 'somewhere far away' }],
      [400, { ...good(), description: '' }],
      [400, { ...good(), description: 'short' }],
      [400, { ...good(), description: 'x'.repeat(4001) }],
      [400, { ...good(), email: 'not-an-email' }],
      [400, { ...good(), phone: '<script>' }],
    ];
    for (const [status, form] of cases) {
      const res = await post('/open311/v2/requests.json', form);
      expect(res.statusCode, JSON.stringify(form)).toBe(status);
      expect(res.json()).toEqual([{ code: status, description: expect.any(String) }]);
    }
    const huge = await post('/open311/v2/requests.json', { ...good(), description: 'y'.repeat(70_000) });
    expect(huge.statusCode).toBe(400);
    const nested = await portal.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      payload: { ...good(), attribute: { supply_type: 'pipeline' } },
    });
    expect(nested.statusCode).toBe(400);
    const text = await portal.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.xml',
      headers: { 'content-type': 'text/plain' },
      payload: 'api_key=x',
    });
    expect(text.statusCode).toBe(400);
    expect(parseXml(text.body).name).toBe('errors');
    expect(await count()).toBe(before);
  });

  it('lists requests with the spec\u2019s filters, and never a citizen\u2019s words', async () => {
    const amina = await buildCitizen(portal);
    const own = await buildComplaint(portal, {
      citizenId: amina.id,
      description: 'My neighbour Mr Khan at house 12 is stealing water.',
      lat: 34.0151,
      lng: 71.5249,
    });
    const all = await get('/open311/v2/requests.json');
    expect(all.statusCode).toBe(200);
    check('requests', all.json());
    const mine = all
      .json()
      .find((r: { service_request_id: string }) => r.service_request_id === own.trackingNumber);
    expect(mine).toMatchObject({ description: null, address: null, lat: 34.015 });
    expect(all.body).not.toContain('Mr Khan');

    const byCode = (await get('/open311/v2/requests.json?service_code=roads-potholes')).json();
    expect(byCode.length).toBeGreaterThan(0);
    expect(byCode.every((r: { service_code: string }) => r.service_code === 'roads-potholes')).toBe(true);
    const ids = all
      .json()
      .slice(0, 2)
      .map((r: { service_request_id: string }) => r.service_request_id);
    const byId = (await get(`/open311/v2/requests.json?service_request_id=${ids.join(',')}`)).json();
    expect(byId.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual(
      [...ids].sort(),
    );
    expect((await get('/open311/v2/requests.json?status=closed')).json()).toEqual([]);
    expect((await get('/open311/v2/requests.json?status=open')).json().length).toBe(all.json().length);
    const future = (
      await get('/open311/v2/requests.json?start_date=2030-01-01T00:00:00Z&end_date=2030-02-01T00:00:00Z')
    ).json();
    expect(future).toEqual([]);
    const xml = parseXml((await get('/open311/v2/requests.xml?status=open')).body);
    expect(xml.children.length).toBe(all.json().length);

    for (const url of [
      '/open311/v2/requests.json?status=pending',
      '/open311/v2/requests.json?start_date=yesterday',
      '/open311/v2/requests.json?start_date=2026-05-01T00:00:00Z&end_date=2026-04-01T00:00:00Z',
      `/open311/v2/requests.json?service_request_id=${Array.from({ length: 1001 }, (_, i) => `KP-${i}`).join(',')}`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json()[0].code).toBe(400);
    }
  });

  it('servicerequestupdates follows a request\u2019s history (FixMyStreet extension)', async () => {
    const filed = (await post('/open311/v2/requests.json', good())).json()[0].service_request_id;
    const res = await get(`/open311/v2/servicerequestupdates.json?service_request_id=${filed}`);
    expect(res.statusCode).toBe(200);
    const updates = res.json();
    expect(updates.map((u: { status: string }) => u.status)).toEqual(['open', 'open']);
    expect(updates[0]).toMatchObject({ service_request_id: filed, update_id: expect.any(String) });
    expect(updates[0].updated_datetime).toMatch(/Z$/);
    const xml = parseXml(
      (await get(`/open311/v2/servicerequestupdates.xml?service_request_id=${filed}`)).body,
    );
    expect(xml.name).toBe('service_request_updates');
    expect(xml.children.map((c) => c.name)).toEqual(['request_update', 'request_update']);
  });

  it('admins list and revoke keys (audited); a revoked key is refused; others may not', async () => {
    const admin = await buildStaff(portal, { role: 'admin' });
    const supervisor = await buildStaff(portal, { role: 'supervisor', department: 'phe' });
    const list = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/api-keys',
      headers: bearer(admin.token),
    });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(key);
    const city = list.json().find((k: { name: string }) => k.name === 'City app');
    expect(
      (
        await portal.app.inject({
          method: 'GET',
          url: '/api/v1/staff/api-keys',
          headers: bearer(supervisor.token),
        })
      ).statusCode,
    ).toBe(403);
    const revoke = (token: string) =>
      portal.app.inject({
        method: 'POST',
        url: `/api/v1/staff/api-keys/${city.id}/revoke`,
        headers: bearer(token),
      });
    expect((await revoke(supervisor.token)).statusCode).toBe(403);
    const revoked = await revoke(admin.token);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    expect((await post('/open311/v2/requests.json', good())).statusCode).toBe(403);
    const audit = await portal.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'api_key')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['apikey.created', 'apikey.revoked']);
    const stored = await portal.database.db.selectFrom('api_keys').select('key_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it('`portal apikey create` prints the new key as its last line, and it works', async () => {
    const t = portal.t;
    const env = {
      ...process.env,
      DATA_DIR: t.dataDir,
      LOG_LEVEL: 'silent',
      JOBS_WORKERS: 'false',
      ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl, DATABASE_SCHEMA: t.schema! } : {}),
    };
    const cli = path.resolve(here, '../../cli.ts');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cli, 'apikey', 'create', '--name', 'Field tablets'],
      { env, timeout: 60_000 },
    );
    const fresh = stdout.trim().split('\n').at(-1)!;
    expect(fresh).toMatch(/^cp311_[A-Za-z0-9_-]{43}$/);
    portal.app.services.reference.invalidate();
    const res = await post('/open311/v2/requests.json', { ...good(), api_key: fresh });
    expect(res.statusCode, res.body).toBe(201);
  }, 90_000);
});
