import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refIds } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

let portal: TestPortal;
let admin: { token: string; id: number };
let ids: Awaited<ReturnType<typeof refIds>>;

beforeAll(async () => {
  portal = await createTestPortal({ RATE_LIMITS: 'off' });
  admin = await buildStaff(portal, { role: 'admin' });
  ids = await refIds(portal);
});
afterAll(async () => {
  await portal?.destroy();
});

const hour = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();

async function createPoll(overrides: Record<string, unknown> = {}) {
  const res = await portal.app.inject({
    method: 'POST',
    url: '/api/v1/staff/polls',
    headers: bearer(admin.token),
    payload: {
      question: { en: 'Which service needs work first?', ur: 'کون سی سروس پہلے بہتر ہو؟' },
      kind: 'single',
      options: [
        { label: { en: 'Water', ur: 'پانی' } },
        { label: { en: 'Roads', ur: 'سڑکیں' } },
        { label: { en: 'Health' } },
      ],
      districtIds: [ids.district('peshawar'), ids.district('mardan'), ids.district('swat')],
      closesAt: hour(24),
      results: 'live',
      ...overrides,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; options: { id: number }[] };
}

/** Verified citizens written straight to the table: many voters without a registration each. */
async function quickCitizens(district: string, n: number): Promise<number[]> {
  const now = new Date().toISOString();
  const rows = Array.from({ length: n }, () => {
    const tag = randomBytes(8).toString('hex');
    return {
      name: 'Voter',
      cnic_hash: tag,
      cnic_enc: tag,
      mobile: `+92${tag}`,
      email: null,
      district_id: ids.district(district),
      password_hash: 'x',
      language: 'en' as const,
      status: 'active' as const,
      verified_at: now,
      blocked_at: null,
      blocked_reason: null,
      created_at: now,
      updated_at: now,
    };
  });
  const saved = await portal.database.db.insertInto('citizens').values(rows).returning('id').execute();
  return saved.map((r) => r.id);
}

const vote = (c: RegisteredCitizen, pollId: number, optionIds: number[]) =>
  portal.app.inject({
    method: 'POST',
    url: `/api/v1/polls/${pollId}/votes`,
    headers: bearer(c.token),
    payload: { optionIds },
  });

describe('voting', () => {
  it('takes one vote per citizen even when the same citizen votes five times at once', async () => {
    const poll = await createPoll();
    const c = await buildCitizen(portal, { district: ids.district('peshawar') });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => vote(c, poll.id, [poll.options[0]!.id])),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.statusCode === 409)) {
      expect(errorOf(r)).toMatchObject({
        code: 'already_voted',
        message: 'You have already voted in this poll.',
      });
    }
    const again = await vote(c, poll.id, [poll.options[1]!.id]);
    expect(again.statusCode).toBe(409);
    const detail = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/polls/${poll.id}`,
      headers: bearer(c.token),
    });
    expect(detail.json()).toMatchObject({
      voted: true,
      canVote: false,
      question: 'Which service needs work first?',
    });
    expect(detail.json().results.voters).toBe(1);
    expect(detail.json().results.options[0]).toMatchObject({ votes: 1, percent: 100 });
    const voters = await portal.database.db
      .selectFrom('poll_voters')
      .selectAll()
      .where('poll_id', '=', poll.id)
      .execute();
    expect(voters).toHaveLength(1);
  });

  it('refuses votes from outside the target, unverified accounts, after closing and before opening', async () => {
    const poll = await createPoll();
    const outsider = await buildCitizen(portal, { district: ids.district('kohat') });
    const res = await vote(outsider, poll.id, [poll.options[0]!.id]);
    expect(res.statusCode).toBe(403);
    expect(errorOf(res)).toMatchObject({
      code: 'not_in_target',
      message: 'This poll is for citizens of other districts.',
    });
    // Not even listed for them.
    const list = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/polls',
      headers: bearer(outsider.token),
    });
    expect(list.json().items.some((p: { id: number }) => p.id === poll.id)).toBe(false);

    const unverified = await buildCitizen(portal, { district: ids.district('swat') });
    await portal.database.db
      .updateTable('citizens')
      .set({ verified_at: null })
      .where('id', '=', unverified.id)
      .execute();
    const refused = await vote(unverified, poll.id, [poll.options[0]!.id]);
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('not_verified');

    const blocked = await buildCitizen(portal, { district: ids.district('swat') });
    await portal.database.db
      .updateTable('citizens')
      .set({ status: 'blocked', blocked_at: new Date().toISOString() })
      .where('id', '=', blocked.id)
      .execute();
    const barred = await vote(blocked, poll.id, [poll.options[0]!.id]);
    expect(barred.statusCode).toBe(403);
    expect(errorOf(barred).code).toBe('citizen_blocked');

    const voter = await buildCitizen(portal, { district: ids.district('mardan') });
    const closed = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/polls/${poll.id}/close`,
      headers: bearer(admin.token),
    });
    expect(closed.statusCode).toBe(200);
    expect(closed.json().state).toBe('closed');
    const late = await vote(voter, poll.id, [poll.options[0]!.id]);
    expect(late.statusCode).toBe(409);
    expect(errorOf(late)).toMatchObject({ code: 'poll_closed' });
    const closeAgain = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/polls/${poll.id}/close`,
      headers: bearer(admin.token),
    });
    expect(closeAgain.statusCode).toBe(409);

    const scheduled = await createPoll({ opensAt: hour(2), closesAt: hour(5) });
    const early = await vote(voter, scheduled.id, [scheduled.options[0]!.id]);
    expect(early.statusCode).toBe(404);

    const audit = await portal.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'poll')
      .where('entity_id', '=', String(poll.id))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['poll.created', 'poll.closed']);
    const stored = await portal.database.db
      .selectFrom('poll_voters')
      .selectAll()
      .where('poll_id', '=', poll.id)
      .execute();
    expect(stored).toHaveLength(0);
  });

  it('refuses bad choices with the error shape and counts nothing', async () => {
    const single = await createPoll();
    const multiple = await createPoll({ kind: 'multiple' });
    const other = await createPoll();
    const c = await buildCitizen(portal, { district: ids.district('peshawar') });
    const bad: [number, unknown][] = [
      [single.id, { optionIds: [single.options[0]!.id, single.options[1]!.id] }],
      [single.id, { optionIds: [other.options[0]!.id] }],
      [multiple.id, { optionIds: [multiple.options[0]!.id, multiple.options[0]!.id] }],
      [single.id, { optionIds: [] }],
      [single.id, { optionIds: ['1'] }],
      [single.id, { optionIds: [single.options[0]!.id], extra: 1 }],
      [single.id, { option: single.options[0]!.id }],
      [single.id, { optionIds: Array.from({ length: 51 }, (_, i) => i + 1) }],
    ];
    for (const [pollId, payload] of bad) {
      const res = await portal.app.inject({
        method: 'POST',
        url: `/api/v1/polls/${pollId}/votes`,
        headers: bearer(c.token),
        payload: payload as object,
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      errorOf(res);
    }
    const missing = await vote(c, 999_999, [1]);
    expect(missing.statusCode).toBe(404);
    const voters = await portal.database.db
      .selectFrom('poll_voters')
      .selectAll()
      .where('citizen_id', '=', c.id)
      .execute();
    expect(voters).toHaveLength(0);
    // A valid multiple choice after all those.
    const ok = await vote(c, multiple.id, [multiple.options[0]!.id, multiple.options[2]!.id]);
    expect(ok.statusCode).toBe(201);
  });
});

describe('results', () => {
  it('show counts and percentages, fold districts under 10 voters into other, and never who voted what', async () => {
    const poll = await createPoll({ results: 'after_close' });
    const [water, roads, health] = poll.options.map((o) => o.id) as [number, number, number];
    const peshawar = await quickCitizens('peshawar', 12);
    const mardan = await quickCitizens('mardan', 3);
    const swat = await quickCitizens('swat', 2);
    const polls = portal.app.services.polls;
    for (const [i, id] of peshawar.entries()) await polls.vote(id, poll.id, [i < 9 ? water : roads]);
    for (const id of mardan) await polls.vote(id, poll.id, [health]);
    for (const id of swat) await polls.vote(id, poll.id, [roads]);

    const citizen = await buildCitizen(portal, { district: ids.district('peshawar') });
    const hidden = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/polls/${poll.id}`,
      headers: bearer(citizen.token),
    });
    expect(hidden.json()).toMatchObject({ resultsVisible: false, results: null });

    const res = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/staff/polls/${poll.id}`,
      headers: bearer(admin.token),
    });
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results.voters).toBe(17);
    expect(results.options).toEqual([
      { optionId: water, votes: 9, percent: 52.9 },
      { optionId: roads, votes: 5, percent: 29.4 },
      { optionId: health, votes: 3, percent: 17.6 },
    ]);
    expect(results.districts).toEqual([
      {
        districtId: ids.district('peshawar'),
        code: 'peshawar',
        name: expect.any(String),
        voters: 12,
        options: [
          { optionId: water, votes: 9, percent: 75 },
          { optionId: roads, votes: 3, percent: 25 },
          { optionId: health, votes: 0, percent: 0 },
        ],
      },
      {
        districtId: null,
        code: 'other',
        name: 'Other districts',
        voters: 5,
        options: [
          { optionId: water, votes: 0, percent: 0 },
          { optionId: roads, votes: 2, percent: 40 },
          { optionId: health, votes: 3, percent: 60 },
        ],
      },
    ]);
    const body = JSON.stringify(res.json());
    for (const id of [...peshawar, ...mardan, ...swat])
      expect(body).not.toMatch(new RegExp(`"citizenId":${id}\\b`));

    const csv = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/staff/polls/${poll.id}/results.csv`,
      headers: bearer(admin.token),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('scope,district,voters,option,votes,percent');
    expect(lines).toContain('province,,17,Water,9,52.9');
    expect(lines).toContain('district,Other districts,5,Health,3,60');
    expect(lines.some((l) => /Mardan|Swat/i.test(l))).toBe(false);

    await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/polls/${poll.id}/close`,
      headers: bearer(admin.token),
    });
    const shown = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/polls/${poll.id}`,
      headers: bearer(citizen.token),
    });
    expect(shown.json().results.voters).toBe(17);
    expect(shown.json().canVote).toBe(false);
  });

  it('lists current polls for a citizen with their vote state, and keeps poll administration to admins', async () => {
    const poll = await createPoll({ districtIds: null });
    const c = await buildCitizen(portal, { district: ids.district('kohat') });
    const list = await portal.app.inject({ method: 'GET', url: '/api/v1/polls', headers: bearer(c.token) });
    expect(list.json().items.find((p: { id: number }) => p.id === poll.id)).toMatchObject({
      voted: false,
      canVote: true,
      state: 'open',
    });
    await vote(c, poll.id, [poll.options[0]!.id]);
    const after = await portal.app.inject({ method: 'GET', url: '/api/v1/polls', headers: bearer(c.token) });
    expect(after.json().items.find((p: { id: number }) => p.id === poll.id)).toMatchObject({
      voted: true,
      canVote: false,
    });

    const officer = await buildStaff(portal, { role: 'officer' });
    const supervisor = await buildStaff(portal, { role: 'supervisor' });
    for (const token of [officer.token, supervisor.token, c.token]) {
      for (const [method, url] of [
        ['POST', '/api/v1/staff/polls'],
        ['GET', '/api/v1/staff/polls'],
        ['GET', `/api/v1/staff/polls/${poll.id}`],
        ['GET', `/api/v1/staff/polls/${poll.id}/results.csv`],
        ['POST', `/api/v1/staff/polls/${poll.id}/close`],
      ] as const) {
        const payload =
          url === '/api/v1/staff/polls'
            ? {
                question: { en: 'Q' },
                kind: 'single',
                options: [{ label: { en: 'A' } }, { label: { en: 'B' } }],
                closesAt: hour(2),
                results: 'live',
              }
            : undefined;
        const res = await portal.app.inject({ method, url, headers: bearer(token), payload });
        expect(res.statusCode, `${method} ${url}`).toBe(403);
      }
    }
  });

  it('refuses bad polls with the error shape and stores nothing', async () => {
    const n = async () => (await portal.database.db.selectFrom('polls').select('id').execute()).length;
    const before = await n();
    const ok = {
      question: { en: 'Q?' },
      kind: 'single',
      options: [{ label: { en: 'A' } }, { label: { en: 'B' } }],
      closesAt: hour(3),
      results: 'live',
    };
    const bad: [string, unknown][] = [
      ['one option', { ...ok, options: [{ label: { en: 'A' } }] }],
      ['empty option', { ...ok, options: [{ label: { en: 'A' } }, { label: {} }] }],
      ['no question', { ...ok, question: {} }],
      ['closed already', { ...ok, closesAt: hour(-1) }],
      ['closes before it opens', { ...ok, opensAt: hour(5), closesAt: hour(4) }],
      ['bad kind', { ...ok, kind: 'ranked' }],
      ['bad visibility', { ...ok, results: 'never' }],
      ['unknown district', { ...ok, districtIds: [987_654] }],
      ['too many options', { ...ok, options: Array.from({ length: 21 }, () => ({ label: { en: 'x' } })) }],
      ['oversized question', { ...ok, question: { en: 'q'.repeat(501) } }],
    ];
    for (const [what, payload] of bad) {
      const res = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/staff/polls',
        headers: bearer(admin.token),
        payload: payload as object,
      });
      expect(res.statusCode, what).toBe(400);
      errorOf(res);
    }
    expect(await n()).toBe(before);
  });
});
