import type { Db } from '../../db/database.js';
import { parseJson } from '../../db/json.js';
import type { ComplaintStatus } from '../../db/schema.js';
import type { CategoryQuestion } from '../../db/seed/category-questions.js';
import { AppError } from '../../errors.js';
import type { ApiKeyService } from '../apikeys/service.js';
import { OPEN_STATUSES } from '../complaints/lifecycle.js';
import type { Reference, ReferenceCache } from '../complaints/reference.js';
import type { ComplaintService } from '../complaints/service.js';
import { findRequest, listRequests, listUpdates, type RequestRow } from './repo.js';

/** An Open311 failure: the HTTP status and the description the spec's error list carries. */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string) => new Open311Error(400, message);
const DAY = 86_400_000;
const MAX_REQUESTS = 1000;
const CLOSED: readonly ComplaintStatus[] = ['resolved', 'closed', 'rejected'];
/** A location shown to anyone is rounded to three decimals, about 100 m. */
const rounded = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

const NOTES: Record<ComplaintStatus, string> = {
  submitted: 'Received; waiting to be assigned to an office.',
  assigned: 'Assigned to the responsible office.',
  in_progress: 'The office is working on it.',
  resolved: 'Resolved by the office; waiting for the reporter to confirm.',
  closed: 'Closed.',
  reopened: 'Reopened: the reporter said the problem is not solved.',
  rejected: 'Rejected.',
};

export type Params = Record<string, string | string[] | undefined>;

function one(p: Params, name: string): string | undefined {
  const v = p[name];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

function list(p: Params, name: string, max = 100): string[] | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  const items = [
    ...new Set(
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (items.length > max) throw bad(`${name} lists at most ${max} values.`);
  return items;
}

/** A W3C date-time with its zone (or a plain date), as the spec's filters take them. */
function w3c(p: Params, name: string): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(v)) {
    throw bad(`${name} must be a W3C date-time with a zone, like 2026-11-29T09:30:00+05:00.`);
  }
  const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw bad(`${name} is not a real date.`);
  return t;
}

function number(p: Params, name: string, min: number, max: number): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  if (!/^-?\d{1,3}(\.\d{1,12})?$/.test(v)) throw bad(`${name} must be a decimal number.`);
  const n = Number(v);
  if (n < min || n > max) throw bad(`${name} must be between ${min} and ${max}.`);
  return n;
}

/**
 * Open311 GeoReport v2 over the portal: services are the categories (their questions are the service
 * attributes), requests are complaints. Filing goes through the complaint service, so routing, deadlines and
 * notifications are the app's; reading shows no personal data (text only of requests filed through
 * Open311, locations rounded to about 100 m).
 */
export class Open311Service {
  constructor(
    private readonly deps: {
      db: Db;
      reference: ReferenceCache;
      complaints: ComplaintService;
      apiKeys: ApiKeyService;
      publicUrl: string;
    },
  ) {}

  discovery() {
    const url = `${this.deps.publicUrl.replace(/\/$/, '')}/open311/v2`;
    return {
      changeset: '2026-11-29T04:00:00Z',
      contact: `${this.deps.publicUrl.replace(/\/$/, '')}/public`,
      key_service: 'Ask the portal administrators for an API key.',
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url,
          changeset: '2026-11-29T04:00:00Z',
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    };
  }

  private questions(category: { attributes: string | null }): CategoryQuestion[] {
    return parseJson<CategoryQuestion[]>(category.attributes) ?? [];
  }

  private category(ref: Reference, code: string) {
    return [...ref.categories.values()].find((c) => c.code === code && c.active === 1);
  }

  async services() {
    const ref = await this.deps.reference.get();
    return [...ref.categories.values()]
      .filter((c) => c.active === 1)
      .sort((a, b) => a.sort - b.sort)
      .map((c) => ({
        service_code: c.code,
        service_name: c.name,
        description: c.parent_id ? `${ref.categories.get(c.parent_id)?.name ?? ''}: ${c.name}` : c.name,
        metadata: this.questions(c).length > 0,
        type: 'realtime',
        keywords: (parseJson<string[]>(c.keywords) ?? []).join(', '),
        group: ref.departments.get(c.department_id)?.name ?? null,
      }));
  }

  async definition(code: string) {
    const ref = await this.deps.reference.get();
    const category = this.category(ref, code);
    if (!category) throw new Open311Error(404, `There is no service ${code}.`);
    return {
      service_code: category.code,
      attributes: this.questions(category).map((q) => ({
        variable: true,
        code: q.code,
        datatype: q.datatype,
        required: q.required,
        datatype_description: q.datatypeDescription ?? null,
        order: q.order,
        description: q.description,
        ...(q.values ? { values: q.values } : {}),
      })),
    };
  }

  private view(r: RequestRow, ref: Reference) {
    const category = ref.categories.get(r.category_id);
    // Only what an Open311 client filed is public text; a citizen's own words stay in the portal.
    const own = r.source === 'open311';
    return {
      service_request_id: r.tracking_number,
      status: CLOSED.includes(r.status) ? 'closed' : 'open',
      status_notes:
        r.status === 'closed' && r.close_reason === 'satisfied'
          ? 'Closed: the reporter confirmed the problem is solved.'
          : NOTES[r.status],
      service_name: category?.name ?? null,
      service_code: category?.code ?? '',
      description: own ? r.description.slice(0, 4000) : null,
      agency_responsible: ref.departments.get(r.department_id)?.name ?? null,
      service_notice: null,
      requested_datetime: r.created_at,
      updated_datetime: r.updated_at,
      expected_datetime: r.due_at,
      address: own ? r.address : null,
      address_id: null,
      zipcode: null,
      lat: rounded(r.lat),
      long: rounded(r.lng),
      media_url: null,
    };
  }

  async requests(p: Params) {
    const ref = await this.deps.reference.get();
    const ids = list(p, 'service_request_id', 1000);
    const codes = list(p, 'service_code');
    let categoryIds: number[] | undefined;
    if (codes) {
      categoryIds = [];
      for (const code of codes) {
        const c = this.category(ref, code);
        if (c)
          categoryIds.push(
            c.id,
            ...[...ref.categories.values()].filter((x) => x.parent_id === c.id).map((x) => x.id),
          );
      }
      if (categoryIds.length === 0) return [];
    }
    let statuses: ComplaintStatus[] | undefined;
    const wanted = list(p, 'status');
    if (wanted) {
      if (wanted.some((s) => s !== 'open' && s !== 'closed')) throw bad('status is open, closed or both.');
      statuses = [
        ...(wanted.includes('open') ? OPEN_STATUSES : []),
        ...(wanted.includes('closed') ? CLOSED : []),
      ];
    }
    const end = w3c(p, 'end_date');
    const start = w3c(p, 'start_date');
    const before = end ?? Date.now() + 1000;
    const from = start ?? before - 90 * DAY;
    if (from > before) throw bad('start_date must be before end_date.');
    const rows = await listRequests(this.deps.db, {
      trackingNumbers: ids,
      categoryIds,
      statuses,
      from: new Date(from).toISOString(),
      before: new Date(before).toISOString(),
      limit: MAX_REQUESTS,
    });
    return rows.map((r) => this.view(r, ref));
  }

  async request(id: string) {
    const ref = await this.deps.reference.get();
    const row = /^[A-Za-z0-9-]{1,40}$/.test(id) ? await findRequest(this.deps.db, id) : undefined;
    if (!row) throw new Open311Error(404, `There is no service request ${id}.`);
    return [this.view(row, ref)];
  }

  /** FixMyStreet's extension: the public steps of requests, so a client can follow their history. */
  async updates(p: Params) {
    const ids = list(p, 'service_request_id', 1000);
    const end = w3c(p, 'end_date');
    const start = w3c(p, 'start_date');
    const before = end ?? Date.now() + 1000;
    const from = start ?? before - 90 * DAY;
    if (from > before) throw bad('start_date must be before end_date.');
    const rows = await listUpdates(this.deps.db, {
      from: new Date(from).toISOString(),
      before: new Date(before).toISOString(),
      trackingNumbers: ids,
      limit: MAX_REQUESTS,
    });
    return rows.map((e) => {
      const status = e.to_status ?? e.status;
      return {
        update_id: String(e.id),
        service_request_id: e.tracking_number,
        status: CLOSED.includes(status) ? 'closed' : 'open',
        updated_datetime: e.created_at,
        // The office's words are public; a citizen's are not.
        description: e.actor_type === 'citizen' || !e.message ? NOTES[status] : e.message,
        media_url: null,
      };
    });
  }

  /** Files a request: api_key, service_code, a location (lat/long or address_string), the answers. */
  async create(p: Params) {
    const client = await this.deps.apiKeys.authenticate(one(p, 'api_key'));
    if (!client) throw new Open311Error(403, 'api_key is missing, unknown or revoked.');
    const ref = await this.deps.reference.get();
    const code = one(p, 'service_code');
    if (!code) throw bad('service_code is required.');
    const category = this.category(ref, code);
    if (!category) throw bad(`There is no service ${code}.`);
    const lat = number(p, 'lat', -90, 90);
    const lng = number(p, 'long', -180, 180);
    const address = one(p, 'address_string');
    if ((lat === undefined) !== (lng === undefined)) throw bad('Give both lat and long.');
    if (lat === undefined && !address) throw bad('A location is required: lat and long, or address_string.');
    let district: number | undefined;
    if (lat === undefined) {
      // Without a point, the district is read from the address.
      const text = address!.toLowerCase();
      const found = [...ref.districts.values()].find(
        (d) =>
          d.active === 1 &&
          [d.name, ...(parseJson<string[]>(d.aliases) ?? [])].some(
            (n) => n && text.includes(n.toLowerCase()),
          ),
      );
      if (!found) throw bad('address_string must name the district, or give lat and long.');
      district = found.id;
    }
    const description = one(p, 'description');
    if (!description) throw bad('description is required.');
    if (description.length > 4000) throw bad('description is at most 4000 characters.');
    if (address && address.length > 500) throw bad('address_string is at most 500 characters.');
    const attributes = this.answers(p, this.questions(category));
    const reporter: Record<string, string> = {};
    for (const [field, max] of [
      ['email', 254],
      ['first_name', 100],
      ['last_name', 100],
      ['phone', 32],
      ['device_id', 200],
      ['account_id', 200],
    ] as const) {
      const v = one(p, field);
      if (v === undefined) continue;
      if (v.length > max) throw bad(`${field} is at most ${max} characters.`);
      if (field === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v))
        throw bad('email is not an email address.');
      if (field === 'phone' && !/^\+?[0-9 ()-]{5,32}$/.test(v)) throw bad('phone is not a phone number.');
      reporter[field] = v;
    }
    try {
      const submitted = await this.deps.complaints.submitForClient(
        {
          kind: 'client',
          client,
          reporter: Object.keys(reporter).length ? reporter : null,
          attributes: Object.keys(attributes).length ? attributes : null,
        },
        { category: category.id, description, lat, lng, district, address, consent: true },
      );
      return [
        {
          service_request_id: submitted.trackingNumber,
          service_notice: `Sent to ${submitted.office?.name ?? submitted.department.name}; expected by ${submitted.dueAt}.`,
          account_id: reporter.account_id ?? null,
        },
      ];
    } catch (err) {
      if (err instanceof AppError && err.kind === 'invalid') {
        const detail = err.fields ? Object.entries(err.fields).map(([k, v]) => `${k}: ${v}`) : [];
        throw bad([err.message, ...detail].join(' '));
      }
      throw err;
    }
  }

  /** attribute[code]=value (attribute[code][]=v for lists), checked against the category's questions. */
  private answers(p: Params, questions: CategoryQuestion[]): Record<string, unknown> {
    const given = new Map<string, string[]>();
    for (const [k, v] of Object.entries(p)) {
      const m = /^attribute\[([^\]]{1,64})\](\[\])?$/.exec(k);
      if (!m || v === undefined) continue;
      given.set(m[1]!, [...(given.get(m[1]!) ?? []), ...(Array.isArray(v) ? v : [v])]);
    }
    const out: Record<string, unknown> = {};
    for (const code of given.keys()) {
      if (!questions.some((q) => q.code === code))
        throw bad(`attribute[${code}] is not a question of this service.`);
    }
    for (const q of questions) {
      const values = (given.get(q.code) ?? []).map((v) => v.trim()).filter(Boolean);
      if (values.length === 0) {
        if (q.required) throw bad(`attribute[${q.code}] is required: ${q.description}`);
        continue;
      }
      const keys = new Set((q.values ?? []).map((v) => v.key));
      switch (q.datatype) {
        case 'singlevaluelist':
          if (values.length > 1 || !keys.has(values[0]!))
            throw bad(`attribute[${q.code}] must be one of: ${[...keys].join(', ')}.`);
          out[q.code] = values[0];
          break;
        case 'multivaluelist': {
          const all = values.flatMap((v) => v.split(',')).map((v) => v.trim());
          if (all.some((v) => !keys.has(v)))
            throw bad(`attribute[${q.code}] takes values from: ${[...keys].join(', ')}.`);
          out[q.code] = [...new Set(all)];
          break;
        }
        case 'number': {
          const n = Number(values[0]);
          if (values.length > 1 || !/^-?\d+(\.\d+)?$/.test(values[0]!) || !Number.isFinite(n)) {
            throw bad(`attribute[${q.code}] must be a number.`);
          }
          out[q.code] = n;
          break;
        }
        case 'datetime': {
          const t = w3c({ v: values[0] }, 'v');
          if (values.length > 1 || t === undefined)
            throw bad(`attribute[${q.code}] must be a W3C date-time.`);
          out[q.code] = new Date(t).toISOString();
          break;
        }
        default:
          if (values.length > 1 || values[0]!.length > (q.datatype === 'text' ? 4000 : 500)) {
            throw bad(`attribute[${q.code}] is too long.`);
          }
          out[q.code] = values[0];
      }
    }
    return out;
  }
}
