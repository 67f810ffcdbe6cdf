import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, type TestPortal } from '../../../test/portal.js';
import { SLA_QUEUE } from './sla.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('SLA: reminders, escalations and closing unanswered resolutions', () => {
  let portal: TestPortal;
  let amina: RegisteredCitizen;
  let officer: Awaited<ReturnType<typeof buildStaff>>;

  beforeAll(async () => {
    // Time is moved by calling the sweep with a chosen `now`; the job must not run on its own meanwhile.
    portal = await createTestPortal({
      RATE_LIMITS: 'off',
      SLA_SWEEP_SECONDS: '3600',
      SLA_REMINDER_HOURS: '24',
      SECOND_ESCALATION_DAYS: '7',
      FEEDBACK_DAYS: '7',
    });
    amina = await buildCitizen(portal);
    officer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
  });
  afterAll(async () => portal?.destroy());

  const sweep = (now: Date) => portal.app.services.sla.runSlaSweep(now);
  const row = (id: number) =>
    portal.database.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const eventsOf = async (id: number, type: string) =>
    (
      await portal.database.db
        .selectFrom('complaint_events')
        .selectAll()
        .where('complaint_id', '=', id)
        .orderBy('id')
        .execute()
    ).filter((e) => e.type === type);

  it('reminds the office once, inside the reminder window only', async () => {
    const now = new Date();
    const soon = await buildComplaint(portal, { dueAt: new Date(now.getTime() + 10 * HOUR) });
    const later = await buildComplaint(portal, { dueAt: new Date(now.getTime() + 3 * DAY) });
    await sweep(now);
    const reminders = await eventsOf(soon.id, 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ visibility: 'internal', actor_type: 'system' });
    expect((await row(soon.id)).reminded_at).toBe(now.toISOString());
    expect(await eventsOf(later.id, 'reminder')).toHaveLength(0);
    expect((await row(later.id)).reminded_at).toBeNull();

    await sweep(new Date(now.getTime() + 60_000));
    expect(await eventsOf(soon.id, 'reminder')).toHaveLength(1);
    // Two days on, the later one enters its window.
    await sweep(new Date(now.getTime() + 2 * DAY + HOUR));
    expect(await eventsOf(later.id, 'reminder')).toHaveLength(1);
  });

  it('an overdue complaint goes to the supervisor (level 1), once, in the public timeline', async () => {
    const now = new Date();
    const c = await buildComplaint(portal, { citizenId: amina.id, dueAt: new Date(now.getTime() - HOUR) });
    const onTime = await buildComplaint(portal, { dueAt: new Date(now.getTime() + 5 * DAY) });
    const first = await sweep(now);
    expect(first.escalatedToSupervisor).toBeGreaterThanOrEqual(1);
    const r = await row(c.id);
    expect(r.escalation_level).toBe(1);
    expect(r.escalated_at).toBe(now.toISOString());
    expect((await row(onTime.id)).escalation_level).toBe(0);
    await sweep(new Date(now.getTime() + 60_000));
    const escalations = await eventsOf(c.id, 'escalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({
      visibility: 'public',
      message: expect.stringContaining('supervisor'),
    });
    // An overdue one is past reminding.
    expect(await eventsOf(c.id, 'reminder')).toHaveLength(0);

    const citizenView = (
      await portal.app.inject({
        method: 'GET',
        url: `/api/v1/complaints/${c.id}`,
        headers: bearer(amina.token),
      })
    ).json();
    expect(citizenView.escalationLevel).toBe(1);
    expect(citizenView.timeline.map((e: { type: string }) => e.type)).toContain('escalated');
    const staffView = (
      await portal.app.inject({
        method: 'GET',
        url: `/api/v1/staff/complaints/${c.id}`,
        headers: bearer(officer.token),
      })
    ).json();
    expect(staffView.timeline.find((e: { type: string }) => e.type === 'escalated').data).toEqual({
      level: 1,
    });
  });

  it('still overdue after the configured days at level 1: to the admins (level 2), once', async () => {
    const now = new Date();
    const c = await buildComplaint(portal, { dueAt: new Date(now.getTime() - HOUR) });
    await sweep(now);
    expect((await row(c.id)).escalation_level).toBe(1);
    await sweep(new Date(now.getTime() + 6 * DAY));
    expect((await row(c.id)).escalation_level).toBe(1);
    const at = new Date(now.getTime() + 7 * DAY + 60_000);
    await sweep(at);
    const r = await row(c.id);
    expect(r.escalation_level).toBe(2);
    expect(r.escalated_at).toBe(at.toISOString());
    await sweep(new Date(at.getTime() + 30 * DAY));
    const escalations = await eventsOf(c.id, 'escalated');
    expect(escalations.map((e) => e.message)).toEqual([
      expect.stringContaining('supervisor'),
      expect.stringContaining('Performance Management Cell'),
    ]);
  });

  it('a resolved complaint is not escalated, and one worked on time never is', async () => {
    const now = new Date();
    const c = await buildComplaint(portal, { dueAt: new Date(now.getTime() + HOUR * 2) });
    const res = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/complaints/${c.id}/actions`,
      headers: bearer(officer.token),
      payload: { type: 'resolve', message: 'Valve replaced, water is back.' },
    });
    expect(res.statusCode).toBe(200);
    await sweep(new Date(now.getTime() + 3 * DAY));
    expect((await row(c.id)).escalation_level).toBe(0);
    expect(await eventsOf(c.id, 'reminder')).toHaveLength(0);
  });

  it('closes a resolution the citizen never answered after the feedback days, as no_feedback', async () => {
    const c = await buildComplaint(portal, { citizenId: amina.id });
    const res = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/complaints/${c.id}/actions`,
      headers: bearer(officer.token),
      payload: { type: 'resolve', message: 'Pipe repaired on Tuesday.' },
    });
    expect(res.statusCode).toBe(200);
    const resolvedAt = new Date((await row(c.id)).resolved_at!);
    await sweep(new Date(resolvedAt.getTime() + 6 * DAY));
    expect((await row(c.id)).status).toBe('resolved');
    const at = new Date(resolvedAt.getTime() + 7 * DAY + 1000);
    await sweep(at);
    const r = await row(c.id);
    expect(r).toMatchObject({ status: 'closed', close_reason: 'no_feedback', satisfied: null });
    expect(r.closed_at).toBe(at.toISOString());
    await sweep(new Date(at.getTime() + DAY));
    const closed = await eventsOf(c.id, 'closed');
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ visibility: 'public', from_status: 'resolved', to_status: 'closed' });
    // The citizen can no longer give feedback on it.
    const view = (
      await portal.app.inject({
        method: 'GET',
        url: `/api/v1/complaints/${c.id}`,
        headers: bearer(amina.token),
      })
    ).json();
    expect(view).toMatchObject({ status: 'closed', closeReason: 'no_feedback', canGiveFeedback: false });
  });

  it('sweeps running at the same time do every step once', async () => {
    const now = new Date();
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        buildComplaint(portal, { dueAt: new Date(now.getTime() + (i % 2 === 0 ? -HOUR : 5 * HOUR)) }),
      ),
    );
    const results = await Promise.all([sweep(now), sweep(now), sweep(now)]);
    expect(results.every((r) => r.failed === 0)).toBe(true);
    for (const c of made) {
      const kinds = [...(await eventsOf(c.id, 'escalated')), ...(await eventsOf(c.id, 'reminder'))];
      expect(kinds).toHaveLength(1);
    }
    const total = results.reduce((n, r) => n + r.escalatedToSupervisor + r.reminded, 0);
    expect(total).toBeGreaterThanOrEqual(6);
  });
});

describe('SLA: the sweep job', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '1' });
  });
  afterAll(async () => portal?.destroy());

  const pending = async () =>
    (await portal.jobs.stats())
      .filter((s) => s.queue === SLA_QUEUE && (s.state === 'pending' || s.state === 'retry'))
      .reduce((n, s) => n + s.count, 0);

  it('is queued at start, once however often it is asked for, runs the sweep and queues the next', async () => {
    expect(await pending()).toBe(1);
    // Asked again for one moment, it is queued once more at most: slots are a second long here, so the
    // moment may already be in the next slot than start-up's.
    const at = new Date();
    await portal.app.services.sla.schedule(at);
    const queued = await pending();
    expect(queued).toBeLessThanOrEqual(2);
    await portal.app.services.sla.schedule(at);
    await portal.app.services.sla.schedule(at);
    expect(await pending()).toBe(queued);

    const c = await buildComplaint(portal, { dueAt: new Date(Date.now() - HOUR) });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await portal.jobs.drain([SLA_QUEUE])).toBeGreaterThanOrEqual(1);
    const r = await portal.database.db
      .selectFrom('complaints')
      .select('escalation_level')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(r.escalation_level).toBe(1);
    // Each run queued the next slot's (runs a second apart may name two slots).
    const next = await pending();
    expect(next).toBeGreaterThanOrEqual(1);
    expect(next).toBeLessThanOrEqual(2);
  });
});
