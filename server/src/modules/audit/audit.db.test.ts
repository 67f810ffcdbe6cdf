import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { auditVerifyCommand } from './command.js';
import { ALTERED, type AuditEntry, BROKEN_LINK, GENESIS } from './service.js';

function useportal() {
  const ctx = {} as { portal: TestPortal };
  beforeAll(async () => {
    ctx.portal = await createTestPortal();
  });
  afterAll(async () => ctx.portal?.destroy());
  return ctx;
}

const entry = (n: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: { type: 'staff', id: n },
  action: 'test.append',
  entity: { type: 'test', id: n },
  before: { n, nested: { b: 2, a: 1 } },
  after: { n: n + 1 },
  ...over,
});

const chainRows = (portal: TestPortal) =>
  portal.database.db.selectFrom('audit_log').selectAll().orderBy('id').execute();

describe('audit chain', () => {
  const ctx = useportal();
  const append = (e: AuditEntry) =>
    ctx.portal.database.db.transaction().execute((trx) => ctx.portal.app.services.audit.append(trx, e));

  it('refuses to append outside a transaction', async () => {
    const { audit } = ctx.portal.app.services;
    await expect(audit.append(ctx.portal.database.db as never, entry(1))).rejects.toThrow(/transaction/);
    expect(await chainRows(ctx.portal)).toEqual([]);
  });

  it('starts at 64 zeros and stores before/after as canonical JSON', async () => {
    const first = await append(entry(1, { ip: '10.1.2.3' }));
    const [row] = await chainRows(ctx.portal);
    expect(row).toMatchObject({
      id: first.id,
      hash: first.hash,
      prev_hash: GENESIS,
      actor_type: 'staff',
      actor_id: 1,
      entity_id: '1',
      before: '{"n":1,"nested":{"a":1,"b":2}}',
      after: '{"n":2}',
      ip: '10.1.2.3',
    });
  });

  it('keeps nothing from a rolled-back transaction, and the next entry links to the last committed', async () => {
    const before = await chainRows(ctx.portal);
    await expect(
      ctx.portal.database.db.transaction().execute(async (trx) => {
        await ctx.portal.app.services.audit.append(trx, entry(99));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await chainRows(ctx.portal)).toEqual(before);
    const next = await append(entry(2));
    const rows = await chainRows(ctx.portal);
    expect(rows.at(-1)).toMatchObject({ id: next.id, prev_hash: before.at(-1)!.hash });
    expect(await ctx.portal.app.services.audit.verify()).toEqual({ ok: true, checked: rows.length });
  });

  it('chains 20 concurrent transactions into one line with no fork', async () => {
    // Each transaction appends, works a little while holding its place, and appends again: without the
    // chain lock two of them would read the same last hash.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ctx.portal.database.db.transaction().execute(async (trx) => {
          await ctx.portal.app.services.audit.append(trx, entry(100 + i));
          await sleep(i % 4);
          await ctx.portal.app.services.audit.append(trx, entry(200 + i));
        }),
      ),
    );
    const rows = await chainRows(ctx.portal);
    expect(rows).toHaveLength(2 + 40);
    expect(rows[0]!.prev_hash).toBe(GENESIS);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(rows.length);
    // Batches smaller than the log, and of one: the walk carries the link across batch edges.
    expect(await ctx.portal.app.services.audit.verify({ batchSize: 7 })).toEqual({ ok: true, checked: 42 });
    expect(await ctx.portal.app.services.audit.verify({ batchSize: 1 })).toEqual({ ok: true, checked: 42 });
  });
});

describe('tamper detection and the `audit verify` command', () => {
  const ctx = useportal();
  let ids: number[];
  const db = () => ctx.portal.database.db;
  const verify = () => ctx.portal.app.services.audit.verify({ batchSize: 4 });

  beforeAll(async () => {
    for (let n = 1; n <= 12; n++) {
      await db()
        .transaction()
        .execute((trx) => ctx.portal.app.services.audit.append(trx, entry(n)));
    }
    ids = (await chainRows(ctx.portal)).map((r) => r.id);
  });

  const run = async () => {
    const lines: string[] = [];
    const code = await auditVerifyCommand(ctx.portal.app.services.audit, (l) => lines.push(l));
    return { code, lines };
  };

  it('reports an intact chain with exit code 0', async () => {
    expect(await run()).toEqual({ code: 0, lines: ['audit chain OK: 12 entries'] });
  });

  it('names an entry whose content was changed', async () => {
    const target = ids[5]!;
    const { after } = await db()
      .selectFrom('audit_log')
      .select('after')
      .where('id', '=', target)
      .executeTakeFirstOrThrow();
    await sql`update audit_log set after = ${'{"n":999}'} where id = ${target}`.execute(db());
    expect(await verify()).toEqual({ ok: false, checked: 5, firstBroken: { id: target, reason: ALTERED } });
    expect(await run()).toEqual({ code: 1, lines: [`audit chain BROKEN at entry #${target}: ${ALTERED}`] });

    // Any column counts, not only the JSON: the actor, and the time.
    await sql`update audit_log set after = ${after} where id = ${target}`.execute(db());
    expect((await verify()).ok).toBe(true);
    await sql`update audit_log set actor_id = 77 where id = ${ids[2]!}`.execute(db());
    expect((await verify()).firstBroken).toEqual({ id: ids[2], reason: ALTERED });
    await sql`update audit_log set actor_id = 3 where id = ${ids[2]!}`.execute(db());
    expect((await verify()).ok).toBe(true);
  });

  it('names the entry after a deleted one, even when the deleted entry was rehashed to hide it', async () => {
    const removed = ids[8]!;
    await sql`delete from audit_log where id = ${removed}`.execute(db());
    expect(await verify()).toEqual({
      ok: false,
      checked: 8,
      firstBroken: { id: ids[9], reason: BROKEN_LINK },
    });
    const out = await run();
    expect(out.code).toBe(1);
    expect(out.lines).toEqual([`audit chain BROKEN at entry #${ids[9]}: ${BROKEN_LINK}`]);
  });

  it('names the second entry when the first is deleted', async () => {
    await sql`delete from audit_log where id = ${ids[0]!}`.execute(db());
    expect((await verify()).firstBroken).toEqual({ id: ids[1], reason: BROKEN_LINK });
  });
});

describe('audit routes', () => {
  const ctx = useportal();
  let admin: { token: string };
  const get = (url: string, token = admin.token) =>
    ctx.portal.app.inject({ method: 'GET', url, headers: bearer(token) });

  beforeAll(async () => {
    admin = await buildStaff(ctx.portal, { role: 'admin' });
    await ctx.portal.database.db.transaction().execute(async (trx) => {
      for (let n = 1; n <= 9; n++) {
        await ctx.portal.app.services.audit.append(
          trx,
          entry(n, {
            entity: { type: 'test', id: n % 3 },
            actor: n % 2 ? { type: 'staff', id: 5 } : { type: 'system', id: null },
          }),
        );
      }
    });
  });

  it('pages newest first with a cursor, without gaps or repeats', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/api/v1/staff/audit?entityType=test&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.items.map((i: { id: number }) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(9);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const first = (await get('/api/v1/staff/audit?entityType=test&limit=1')).json().items[0];
    expect(first).toMatchObject({
      actor: { type: 'staff', id: 5 },
      action: 'test.append',
      entity: { type: 'test', id: '0' },
      before: { n: 9, nested: { a: 1, b: 2 } },
      after: { n: 10 },
    });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.prevHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('filters by entity and by actor', async () => {
    const byEntity = (await get('/api/v1/staff/audit?entityType=test&entityId=1')).json().items;
    expect(byEntity.map((i: { after: { n: number } }) => i.after.n)).toEqual([8, 5, 2]);
    const bySystem = (await get('/api/v1/staff/audit?entityType=test&actorType=system')).json().items;
    expect(bySystem).toHaveLength(4);
    const byStaff = (await get('/api/v1/staff/audit?actorType=staff&actorId=5')).json().items;
    expect(byStaff).toHaveLength(5);
  });

  it('refuses bad filters in the error shape', async () => {
    for (const q of [
      'limit=0',
      'limit=201',
      'limit=abc',
      'cursor=x',
      'cursor=0',
      'cursor=-5',
      'cursor=1e3',
      'cursor=99999999999999999999',
      'actorType=robot',
      'actorId=0',
      'entityId=1',
      `entityType=${'x'.repeat(41)}`,
      'sort=id',
    ]) {
      const res = await get(`/api/v1/staff/audit?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(errorOf(res).code, q).toBe('validation_failed');
    }
  });

  it('verifies the chain over HTTP', async () => {
    const ok = await get('/api/v1/staff/audit/verify');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true });
    const rows = await chainRows(ctx.portal);
    const target = rows.at(-2)!.id;
    await sql`update audit_log set action = 'test.hidden' where id = ${target}`.execute(
      ctx.portal.database.db,
    );
    expect((await get('/api/v1/staff/audit/verify')).json()).toEqual({
      ok: false,
      checked: rows.length - 2,
      firstBroken: { id: target, reason: ALTERED },
    });
  });

  it('is for admins only', async () => {
    const officer = await buildStaff(ctx.portal, { role: 'officer' });
    const supervisor = await buildStaff(ctx.portal, { role: 'supervisor' });
    const citizen = await buildCitizen(ctx.portal);
    for (const url of ['/api/v1/staff/audit', '/api/v1/staff/audit/verify']) {
      for (const token of [officer.token, supervisor.token]) {
        const res = await get(url, token);
        expect(res.statusCode, url).toBe(403);
        errorOf(res);
      }
      const asCitizen = await get(url, citizen.token);
      expect([401, 403]).toContain(asCitizen.statusCode);
      errorOf(asCitizen);
      const anonymous = await ctx.portal.app.inject({ method: 'GET', url });
      expect(anonymous.statusCode).toBe(401);
      errorOf(anonymous);
    }
  });
});
