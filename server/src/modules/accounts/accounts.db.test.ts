import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff, codeFor, registerBody } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { readEmailOutbox } from '../../adapters/email/outbox.js';
import { readOutbox } from '../../adapters/sms/outbox.js';

describe('citizen accounts over HTTP', () => {
  let portal: TestPortal;
  const logLines: string[] = [];
  beforeAll(async () => {
    // No resend cooldown here, so tests can ask for codes back to back; the cooldown has its own portal below.
    portal = await createTestPortal(
      {
        OTP_RESEND_COOLDOWNS: '0',
        OTP_MAX_PER_NUMBER_PER_DAY: '50',
        OTP_MAX_PER_IP_PER_HOUR: '10000',
        RATE_LIMITS: 'off',
      },
      { logStream: { write: (line: string) => void logLines.push(line) } },
    );
  });
  afterAll(async () => portal?.destroy());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    portal.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const countCitizens = async () =>
    Number(
      (
        await portal.database.db
          .selectFrom('citizens')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('registers, sends a 6-digit code by SMS, verifies and logs in', async () => {
    const body = await registerBody(portal, { cnic: '17301-1234567-3', email: 'amina@example.pk' });
    const res = await post('/api/v1/auth/register', body);
    expect(res.statusCode).toBe(201);
    const { user, verification } = res.json();
    expect(user).toMatchObject({
      name: 'Amina Khan',
      cnic: '17301-*******-3',
      mobile: body.mobile,
      status: 'pending',
    });
    expect(verification.channel).toBe('sms');
    expect(Date.parse(verification.expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000);

    const code = await codeFor(portal, body.mobile);
    expect(code).toMatch(/^\d{6}$/);
    const sms = await portal.database.db
      .selectFrom('sms_messages')
      .selectAll()
      .where('to_number', '=', body.mobile)
      .execute();
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ status: 'sent', body_enc: null, purpose: 'otp.verify' });

    // At rest: the CNIC is encrypted, the code only hashed.
    const row = await portal.database.db
      .selectFrom('citizens')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.cnic_enc).not.toContain('1730112345673');
    expect(row.cnic_hash).not.toContain('1730112345673');
    const otp = await portal.database.db
      .selectFrom('otp_codes')
      .selectAll()
      .where('citizen_id', '=', user.id)
      .execute();
    expect(JSON.stringify(otp)).not.toContain(code);

    const login = await post('/api/v1/auth/login', { login: body.cnic, password: body.password });
    expect(login.statusCode).toBe(403);
    expect(errorOf(login).code).toBe('unverified');

    const verified = await post('/api/v1/auth/verify', { mobile: body.mobile, code });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().user.status).toBe('active');
    const cookies = verified.cookies.map((c) => c.name);
    expect(cookies).toContain('cp_session');
    const sessionCookie = verified.cookies.find((c) => c.name === 'cp_session')!;
    expect(sessionCookie.httpOnly).toBe(true);
    expect(sessionCookie.sameSite).toBe('Lax');

    const me = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: bearer(verified.json().token),
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ cnic: '17301-*******-3', email: 'amina@example.pk' });
    const full = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/me/cnic',
      headers: bearer(verified.json().token),
    });
    expect(full.json()).toEqual({ cnic: '1730112345673' });

    for (const loginWith of [body.cnic, '1730112345673', body.mobile, body.mobile.replace('+92', '0')]) {
      const again = await post('/api/v1/auth/login', { login: loginWith, password: body.password });
      expect(again.statusCode, loginWith).toBe(200);
    }
  });

  it('accepts a CNIC and a mobile typed in Urdu digits', async () => {
    const body = await registerBody(portal);
    const urdu = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
    const res = await post('/api/v1/auth/register', {
      ...body,
      cnic: urdu(`${body.cnic.slice(0, 5)}-${body.cnic.slice(5, 12)}-${body.cnic.slice(12)}`),
      mobile: urdu(body.mobile.replace('+92', '0')),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user.mobile).toBe(body.mobile);
  });

  it('refuses bad input with 4xx in the error shape and stores nothing', async () => {
    const before = await countCitizens();
    const good = await registerBody(portal);
    const cases: [string, unknown, number, string?][] = [
      ['missing fields', {}, 400, 'validation_failed'],
      ['wrong type of district', { ...good, district: '1' }, 400, 'validation_failed'],
      ['number as name', { ...good, name: 42 }, 400, 'validation_failed'],
      ['12-digit CNIC', { ...good, cnic: '17301-123456-3' }, 400, 'validation_failed'],
      ['letters in CNIC', { ...good, cnic: '17301-12345AB-3' }, 400, 'validation_failed'],
      ['landline', { ...good, mobile: '091 1234567' }, 400, 'validation_failed'],
      ['unknown district', { ...good, district: 999999 }, 400, 'validation_failed'],
      ['short password', { ...good, password: 'short' }, 400, 'validation_failed'],
      ['bad language', { ...good, language: 'fr' }, 400, 'validation_failed'],
      ['bad email', { ...good, email: 'not-an-email' }, 400, 'validation_failed'],
      ['unknown field', { ...good, role: 'admin' }, 400, 'validation_failed'],
      ['a 1 MB name', { ...good, name: 'x'.repeat(1024 * 1024) }, 413, 'too_large'],
      ['a 200 KB name', { ...good, name: 'x'.repeat(200 * 1024) }, 400, 'validation_failed'],
    ];
    for (const [label, payload, status, code] of cases) {
      const res = await post('/api/v1/auth/register', payload);
      expect(res.statusCode, label).toBe(status);
      const err = errorOf(res);
      if (code) expect(err.code, label).toBe(code);
    }
    const cnicErr = errorOf(await post('/api/v1/auth/register', { ...good, cnic: '12345-123456-1' }));
    expect(cnicErr.fields?.cnic).toMatch(/13 digits/);

    const malformed = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "Amina",',
    });
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed).code).toBe('malformed_body');

    const wrongType = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expect(wrongType.statusCode).toBe(415);
    errorOf(wrongType);
    expect(await countCitizens()).toBe(before);
  });

  it('allows one account per CNIC and per mobile, also when two registrations race', async () => {
    const body = await registerBody(portal);
    expect((await post('/api/v1/auth/register', body)).statusCode).toBe(201);
    const sameMobile = await post('/api/v1/auth/register', {
      ...(await registerBody(portal)),
      mobile: body.mobile,
    });
    expect(sameMobile.statusCode).toBe(409);
    expect(errorOf(sameMobile).fields).toHaveProperty('mobile');
    const sameCnic = await post('/api/v1/auth/register', {
      ...(await registerBody(portal)),
      cnic: body.cnic,
    });
    expect(sameCnic.statusCode).toBe(409);
    expect(errorOf(sameCnic).code).toBe('cnic_pending');

    const racer = await registerBody(portal);
    const results = await Promise.all([
      post('/api/v1/auth/register', racer),
      post('/api/v1/auth/register', { ...racer, mobile: (await registerBody(portal)).mobile }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('allows five wrong codes, then needs a new code; a used code cannot be replayed', async () => {
    const body = await registerBody(portal);
    await post('/api/v1/auth/register', body);
    const code = await codeFor(portal, body.mobile);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 5; i++) {
      const res = await post('/api/v1/auth/verify', { mobile: body.mobile, code: wrong });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).code).toBe(i < 5 ? 'wrong_code' : 'too_many_attempts');
    }
    const sixth = await post('/api/v1/auth/verify', { mobile: body.mobile, code });
    expect(sixth.statusCode).toBe(400);
    expect(errorOf(sixth).code).toBe('too_many_attempts');

    const resent = await post('/api/v1/auth/resend', { mobile: body.mobile });
    expect(resent.statusCode).toBe(200);
    const fresh = await codeFor(portal, body.mobile);
    // The old code was retired by the resend.
    if (fresh !== code)
      expect((await post('/api/v1/auth/verify', { mobile: body.mobile, code })).statusCode).toBe(400);
    expect((await post('/api/v1/auth/verify', { mobile: body.mobile, code: fresh })).statusCode).toBe(200);
    const replay = await post('/api/v1/auth/verify', { mobile: body.mobile, code: fresh });
    expect(replay.statusCode).toBe(409);
    expect(errorOf(replay).code).toBe('already_verified');
  });

  it('refuses a code after it expires', async () => {
    const body = await registerBody(portal);
    const reg = await post('/api/v1/auth/register', body);
    const code = await codeFor(portal, body.mobile);
    await portal.database.db
      .updateTable('otp_codes')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('citizen_id', '=', reg.json().user.id)
      .execute();
    const res = await post('/api/v1/auth/verify', { mobile: body.mobile, code });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('code_expired');
  });

  it('sends the code by email when asked, and refuses email for an account without one', async () => {
    const body = await registerBody(portal, { email: 'fallback@example.pk' });
    await post('/api/v1/auth/register', body);
    const status = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/auth/code-status?mobile=${encodeURIComponent(body.mobile)}`,
    });
    expect(status.json()).toMatchObject({ status: 'queued', emailAvailable: true });
    const res = await post('/api/v1/auth/resend', { mobile: body.mobile, channel: 'email' });
    expect(res.statusCode).toBe(200);
    expect(res.json().channel).toBe('email');
    await portal.drain();
    const mail = (await readEmailOutbox(portal.outboxDir)).find((m) => m.to === 'fallback@example.pk');
    const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
    expect((await post('/api/v1/auth/verify', { mobile: body.mobile, code })).statusCode).toBe(200);

    const noEmail = await registerBody(portal, { email: null });
    await post('/api/v1/auth/register', noEmail);
    const refused = await post('/api/v1/auth/resend', { mobile: noEmail.mobile, channel: 'email' });
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).code).toBe('no_email');
  });

  it('backs off failed logins per account', async () => {
    const citizen = await buildCitizen(portal);
    for (let i = 0; i < 5; i++) {
      const res = await post('/api/v1/auth/login', { login: citizen.cnic, password: 'wrong-password' });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res).code).toBe('invalid_credentials');
    }
    const held = await post('/api/v1/auth/login', { login: citizen.cnic, password: citizen.password });
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
    errorOf(held);
  });

  it('resets a password with an SMS code and ends the old sessions', async () => {
    const citizen = await buildCitizen(portal);
    const forgot = await post('/api/v1/auth/password/forgot', { login: citizen.mobile });
    expect(forgot.statusCode).toBe(202);
    const unknown = await post('/api/v1/auth/password/forgot', { login: '0399 0000000' });
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toEqual(forgot.json());
    const code = await codeFor(portal, citizen.mobile);
    const weak = await post('/api/v1/auth/password/reset', {
      login: citizen.mobile,
      code,
      password: 'short',
    });
    expect(weak.statusCode).toBe(400);
    const reset = await post('/api/v1/auth/password/reset', {
      login: citizen.mobile,
      code,
      password: 'a-new-passphrase',
    });
    expect(reset.statusCode).toBe(204);
    const old = await portal.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(citizen.token) });
    expect(old.statusCode).toBe(401);
    expect(
      (await post('/api/v1/auth/login', { login: citizen.cnic, password: 'a-new-passphrase' })).statusCode,
    ).toBe(200);
  });

  it('protects cookie sessions against CSRF and logs out', async () => {
    const citizen = await buildCitizen(portal);
    const cookie = `cp_session=${citizen.token}`;
    const noToken = await portal.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie },
      payload: { language: 'ur' },
    });
    expect(noToken.statusCode).toBe(403);
    expect(errorOf(noToken).code).toBe('csrf');
    const withToken = await portal.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie, 'x-csrf-token': citizen.csrfToken },
      payload: { language: 'ur' },
    });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.json().language).toBe('ur');
    // Reading needs no token.
    expect(
      (await portal.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode,
    ).toBe(200);

    const out = await post('/api/v1/auth/logout', {}, bearer(citizen.token));
    expect(out.statusCode).toBe(204);
    expect(
      (await portal.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(citizen.token) }))
        .statusCode,
    ).toBe(401);
  });

  it('keeps citizen and staff sessions apart', async () => {
    const citizen = await buildCitizen(portal);
    const officer = await buildStaff(portal, { role: 'officer' });
    const a = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/me',
      headers: bearer(citizen.token),
    });
    expect(a.statusCode).toBe(403);
    const b = await portal.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(officer.token) });
    expect(b.statusCode).toBe(403);
    const c = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/me',
      headers: bearer(officer.token),
    });
    expect(c.json()).toMatchObject({ role: 'officer', login: officer.login });
    for (const auth of ['Bearer', 'Basic abc', `Bearer ${'x'.repeat(40)}`]) {
      const res = await portal.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: auth },
      });
      expect(res.statusCode, auth).toBe(401);
      errorOf(res);
    }
  });

  it('applies the gateway\u2019s delivery receipts', async () => {
    const receiptsPortal = await createTestPortal({ SMS_RECEIPT_TOKEN: 'receipt-secret-123' });
    try {
      const citizen = await buildCitizen(receiptsPortal);
      const sms = await receiptsPortal.database.db
        .selectFrom('sms_messages')
        .selectAll()
        .where('to_number', '=', citizen.mobile)
        .executeTakeFirstOrThrow();
      const bad = await receiptsPortal.app.inject({
        method: 'POST',
        url: '/api/v1/sms/receipts?token=wrong',
        payload: { id: sms.provider_message_id, status: 'delivered' },
      });
      expect(bad.statusCode).toBe(403);
      const ok = await receiptsPortal.app.inject({
        method: 'POST',
        url: '/api/v1/sms/receipts?token=receipt-secret-123',
        payload: { id: sms.provider_message_id, status: 'DELIVRD' },
      });
      expect(ok.json()).toEqual({ updated: true });
      const after = await receiptsPortal.database.db
        .selectFrom('sms_messages')
        .select('status')
        .where('id', '=', sms.id)
        .executeTakeFirstOrThrow();
      expect(after.status).toBe('delivered');
    } finally {
      await receiptsPortal.destroy();
    }
  });

  it('never writes a CNIC, code or password into the logs', async () => {
    const citizen = await buildCitizen(portal);
    await post('/api/v1/auth/login', { login: citizen.cnic, password: citizen.password });
    const all = logLines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).toMatch(/"reqId"/);
    expect(all).not.toContain(citizen.cnic);
    expect(all).not.toContain(citizen.password);
    expect(all).not.toContain(citizen.token);
    for (const m of await readOutbox(portal.outboxDir)) {
      const code = /\d{6}/.exec(m.text)?.[0];
      if (code) expect(all).not.toContain(`"${code}"`);
    }
  });
});

describe('code resend limits', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal({ OTP_RESEND_COOLDOWNS: '60,300', OTP_MAX_PER_NUMBER_PER_DAY: '3' });
  });
  afterAll(async () => portal?.destroy());

  it('waits a growing cooldown and caps codes per number per day', async () => {
    const body = await registerBody(portal);
    await portal.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body });
    const resend = () =>
      portal.app.inject({ method: 'POST', url: '/api/v1/auth/resend', payload: { mobile: body.mobile } });
    const early = await resend();
    expect(early.statusCode).toBe(429);
    expect(errorOf(early).code).toBe('resend_cooldown');
    expect(Number(early.headers['retry-after'])).toBeGreaterThan(50);

    const age = async (seconds: number) =>
      portal.database.db
        .updateTable('otp_sends')
        .set({ created_at: new Date(Date.now() - seconds * 1000).toISOString() })
        .where('mobile', '=', body.mobile)
        .execute();
    await age(61);
    expect((await resend()).statusCode).toBe(200);
    await age(61);
    const second = await resend();
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(200);
    await age(301);
    expect((await resend()).statusCode).toBe(200);
    await age(3600);
    const capped = await resend();
    expect(capped.statusCode).toBe(429);
    expect(errorOf(capped).code).toBe('daily_limit');
    expect(errorOf(capped).message).toMatch(/email/);
  });
});
