// Registration, the SMS code, log in and password reset.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../shared/api.js';
import { asciiDigits } from '../../shared/i18n.js';
import { Banner, Button, Field, Page } from '../../shared/ui.js';
import { api, nameIn, type Session, type User, type Verification } from '../api.js';
import { errorText, fieldErrors } from '../errors.js';
import { i18n, t, useLang } from '../i18n.js';
import { navigate, useLocation } from '../router.js';
import { signedIn, useStore } from '../store.js';

/** CNIC and phone fields take Urdu and Arabic-Indic digits too; the portal receives ASCII. */
const digitsOnly = (value: string) => asciiDigits(value).replace(/[^\d+-]/g, '');

const VERIFY_KEY = 'cp.verify';
interface Pending {
  mobile: string;
  resendAvailableAt: string;
  channel: 'sms' | 'email';
}
function rememberPending(p: Pending) {
  sessionStorage.setItem(VERIFY_KEY, JSON.stringify(p));
}
function readPending(): Pending | null {
  try {
    return JSON.parse(sessionStorage.getItem(VERIFY_KEY) ?? 'null') as Pending | null;
  } catch {
    return null;
  }
}

export function RegisterScreen() {
  const lang = useLang();
  const { districts } = useStore();
  const [form, setForm] = useState({ name: '', cnic: '', mobile: '', district: '', email: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (event: Event) =>
    setForm({ ...form, [key]: (event.target as HTMLInputElement).value });

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setErrors({});
    try {
      const mobile = digitsOnly(form.mobile);
      const result = await api.post<{ user: User; verification: Verification }>('/auth/register', {
        name: form.name.trim(),
        cnic: digitsOnly(form.cnic),
        mobile,
        district: Number(form.district) || 0,
        email: form.email.trim() || null,
        password: form.password,
        language: lang,
      });
      rememberPending({ mobile: result.user.mobile, ...result.verification });
      navigate('/verify');
    } catch (err) {
      setErrors(fieldErrors(err));
      setFailure(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const sorted = [...districts].sort((a, b) => nameIn(a, lang).localeCompare(nameIn(b, lang), lang));
  return (
    <Page title={t('register.title')}>
      <p>{t('register.intro')}</p>
      {failure && <Banner tone="error">{failure}</Banner>}
      <form onSubmit={submit} noValidate>
        <Field
          label={t('register.name')}
          autoComplete="name"
          value={form.name}
          onInput={set('name')}
          error={errors.name}
          required
        />
        <Field
          label={t('register.cnic')}
          hint={t('register.cnicHint')}
          inputMode="numeric"
          dir="ltr"
          autoComplete="off"
          value={form.cnic}
          onInput={set('cnic')}
          error={errors.cnic}
          required
        />
        <Field
          label={t('register.mobile')}
          hint={t('register.mobileHint')}
          type="tel"
          inputMode="tel"
          dir="ltr"
          autoComplete="tel"
          value={form.mobile}
          onInput={set('mobile')}
          error={errors.mobile}
          required
        />
        <Field label={t('register.district')} id="register-district" error={errors.district}>
          <select
            id="register-district"
            value={form.district}
            onChange={set('district')}
            required
            aria-invalid={errors.district ? true : undefined}
          >
            <option value="">{t('register.chooseDistrict')}</option>
            {sorted.map((d) => (
              <option key={d.id} value={String(d.id)}>
                {nameIn(d, lang)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t('register.email')}
          hint={t('register.emailHint')}
          type="email"
          dir="ltr"
          autoComplete="email"
          value={form.email}
          onInput={set('email')}
          error={errors.email}
        />
        <Field
          label={t('register.password')}
          hint={t('register.passwordHint')}
          type="password"
          autoComplete="new-password"
          value={form.password}
          onInput={set('password')}
          error={errors.password}
          required
        />
        <Button type="submit" busy={busy} class="btn--block">
          {t('register.submit')}
        </Button>
      </form>
      <p class="alt">
        {t('register.haveAccount')} <a href="/login">{t('login.submit')}</a>
      </p>
    </Page>
  );
}

function useCountdown(until: string | null): number {
  const left = () => (until ? Math.max(0, Math.ceil((Date.parse(until) - Date.now()) / 1000)) : 0);
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    const timer = setInterval(() => setSeconds(left()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return seconds;
}

export function VerifyScreen() {
  const { query } = useLocation();
  const [pending, setPending] = useState<Pending | null>(() => {
    const stored = readPending();
    const mobile = query.get('mobile');
    if (mobile && stored?.mobile !== mobile)
      return { mobile, resendAvailableAt: new Date().toISOString(), channel: 'sms' };
    return stored;
  });
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [delivery, setDelivery] = useState<{ status: string; emailAvailable: boolean } | null>(null);
  const wait = useCountdown(pending?.resendAvailableAt ?? null);

  useEffect(() => {
    if (!pending) return;
    const check = () =>
      api
        .get<{ status: string; emailAvailable: boolean }>('/auth/code-status', {
          mobile: pending.mobile,
          purpose: 'verify',
        })
        .then(setDelivery)
        .catch(() => undefined);
    void check();
    const timer = setInterval(check, 15_000);
    return () => clearInterval(timer);
  }, [pending?.mobile]);

  if (!pending) {
    return (
      <Page title={t('verify.title')}>
        <Banner tone="info">{t('verify.none')}</Banner>
        <a href="/register">{t('register.title')}</a>
      </Page>
    );
  }

  async function verify(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.post<Session>('/auth/verify', {
        mobile: pending!.mobile,
        code: asciiDigits(code).trim(),
      });
      sessionStorage.removeItem(VERIFY_KEY);
      signedIn(session.user);
      navigate('/', { replace: true });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function resend(channel: 'sms' | 'email') {
    setError(null);
    setNotice(null);
    try {
      const issued = await api.post<Verification>('/auth/resend', {
        mobile: pending!.mobile,
        channel,
        purpose: 'verify',
      });
      const next = { mobile: pending!.mobile, ...issued };
      rememberPending(next);
      setPending(next);
      setNotice(channel === 'email' ? t('verify.sentEmail') : t('verify.sentSms'));
    } catch (err) {
      setError(errorText(err));
    }
  }

  const clock = `${Math.floor(wait / 60)}:${String(wait % 60).padStart(2, '0')}`;
  return (
    <Page title={t('verify.title')}>
      <p>
        {pending.channel === 'email' ? t('verify.introEmail') : t('verify.intro')}{' '}
        <bdi dir="ltr">{pending.mobile}</bdi>
      </p>
      {delivery && delivery.status !== 'unknown' && (
        <p class="muted">{t(`verify.delivery.${delivery.status}`, { defaultValue: '' })}</p>
      )}
      {error && <Banner tone="error">{error}</Banner>}
      {notice && <Banner tone="success">{notice}</Banner>}
      <form onSubmit={verify} noValidate>
        <Field
          label={t('verify.code')}
          inputMode="numeric"
          autoComplete="one-time-code"
          dir="ltr"
          maxLength={12}
          value={code}
          onInput={(e) => setCode((e.target as HTMLInputElement).value)}
          required
        />
        <Button type="submit" busy={busy} class="btn--block">
          {t('verify.submit')}
        </Button>
      </form>
      <section class="resend" aria-labelledby="resend-title">
        <h2 id="resend-title">{t('verify.noCode')}</h2>
        <p aria-live="polite">{wait > 0 ? t('verify.wait', { time: clock }) : t('verify.canResend')}</p>
        <div class="row">
          <Button variant="secondary" disabled={wait > 0} onClick={() => void resend('sms')}>
            {t('verify.resendSms')}
          </Button>
          <Button
            variant="secondary"
            disabled={wait > 0 || delivery?.emailAvailable === false}
            onClick={() => void resend('email')}
          >
            {t('verify.resendEmail')}
          </Button>
        </div>
        {delivery?.emailAvailable === false && <p class="muted">{t('verify.noEmail')}</p>}
      </section>
    </Page>
  );
}

export function LoginScreen() {
  const { query } = useLocation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const id = asciiDigits(login).trim();
    try {
      const session = await api.post<Session>('/auth/login', { login: id, password });
      signedIn(session.user);
      if (session.user.language && session.user.language !== i18n().current()) {
        await i18n().change(session.user.language);
      }
      navigate('/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'unverified') {
        const mobile = err.fields.mobile ?? id;
        rememberPending({ mobile, resendAvailableAt: new Date().toISOString(), channel: 'sms' });
        navigate(`/verify?mobile=${encodeURIComponent(mobile)}`);
        return;
      }
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('login.title')}>
      {query.get('reset') === '1' && <Banner tone="success">{t('reset.done')}</Banner>}
      {error && <Banner tone="error">{error}</Banner>}
      <form onSubmit={submit} noValidate>
        <Field
          label={t('login.login')}
          hint={t('login.loginHint')}
          dir="ltr"
          inputMode="text"
          autoComplete="username"
          value={login}
          onInput={(e) => setLogin((e.target as HTMLInputElement).value)}
          required
        />
        <Field
          label={t('register.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          required
        />
        <Button type="submit" busy={busy} class="btn--block">
          {t('login.submit')}
        </Button>
      </form>
      <p class="alt">
        <a href="/reset">{t('login.forgot')}</a>
      </p>
      <p class="alt">
        {t('login.new')} <a href="/register">{t('register.submit')}</a>
      </p>
    </Page>
  );
}

export function ResetScreen() {
  const [step, setStep] = useState<'ask' | 'set'>('ask');
  const [login, setLogin] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function ask(event: Event, channel: 'sms' | 'email' = 'sms') {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post('/auth/password/forgot', { login: asciiDigits(login).trim(), channel });
      setStep('set');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function reset(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      await api.post('/auth/password/reset', {
        login: asciiDigits(login).trim(),
        code: asciiDigits(code).trim(),
        password,
      });
      navigate('/login?reset=1', { replace: true });
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('reset.title')} back={{ href: '/login', label: t('login.title') }}>
      {error && <Banner tone="error">{error}</Banner>}
      {step === 'ask' ? (
        <form onSubmit={ask} noValidate>
          <p>{t('reset.intro')}</p>
          <Field
            label={t('login.login')}
            hint={t('login.loginHint')}
            dir="ltr"
            value={login}
            onInput={(e) => setLogin((e.target as HTMLInputElement).value)}
            required
          />
          <div class="row">
            <Button type="submit" busy={busy}>
              {t('reset.sendSms')}
            </Button>
            <Button variant="secondary" busy={busy} onClick={(e) => void ask(e, 'email')}>
              {t('reset.sendEmail')}
            </Button>
          </div>
        </form>
      ) : (
        <form onSubmit={reset} noValidate>
          <Banner tone="info">{t('reset.sent')}</Banner>
          <Field
            label={t('verify.code')}
            inputMode="numeric"
            autoComplete="one-time-code"
            dir="ltr"
            value={code}
            onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            error={errors.code}
            required
          />
          <Field
            label={t('reset.newPassword')}
            hint={t('register.passwordHint')}
            type="password"
            autoComplete="new-password"
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
            error={errors.password}
            required
          />
          <Button type="submit" busy={busy} class="btn--block">
            {t('reset.submit')}
          </Button>
        </form>
      )}
    </Page>
  );
}
