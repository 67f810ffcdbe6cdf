// The citizen's profile, language, notification choices (Web Push on this phone) and log out.
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, type Lang } from '../../shared/i18n.js';
import { Banner, Button, Field, Page } from '../../shared/ui.js';
import { api, type NotificationPrefs, nameIn, type User } from '../api.js';
import { errorText, fieldErrors } from '../errors.js';
import { i18n, t, useLang } from '../i18n.js';
import { stopLive } from '../live.js';
import { currentSubscription, disablePush, enablePush, pushSupported } from '../push.js';
import { navigate } from '../router.js';
import { signedIn, useStore } from '../store.js';

export function ProfileScreen() {
  const lang = useLang();
  const { user, districts } = useStore();
  const [form, setForm] = useState({
    name: user?.name ?? '',
    email: user?.email ?? '',
    district: String(user?.districtId ?? ''),
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  if (!user) return null;

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      const updated = await api.patch<User>('/me', {
        name: form.name.trim(),
        email: form.email.trim() || null,
        district: Number(form.district),
      });
      signedIn(updated);
      setMessage({ tone: 'success', text: t('profile.saved') });
    } catch (err) {
      setErrors(fieldErrors(err));
      setMessage({ tone: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  async function chooseLanguage(code: Lang) {
    await i18n().change(code);
    const updated = await api.patch<User>('/me', { language: code }).catch(() => null);
    if (updated) signedIn(updated);
  }

  async function logOut() {
    await disablePush().catch(() => undefined);
    await api.post('/auth/logout').catch(() => undefined);
    stopLive();
    signedIn(null);
    navigate('/login', { replace: true });
  }

  return (
    <Page title={t('profile.title')} back={{ href: '/', label: t('nav.home') }}>
      <dl class="facts">
        <dt>{t('register.cnic')}</dt>
        <dd>
          <bdi dir="ltr">{user.cnic}</bdi>
        </dd>
        <dt>{t('register.mobile')}</dt>
        <dd>
          <bdi dir="ltr">{user.mobile}</bdi>
        </dd>
      </dl>
      <fieldset class="plain">
        <legend>
          <h2>{t('profile.language')}</h2>
        </legend>
        <div class="row">
          {LANGUAGES.map((l) => (
            <Button
              key={l.code}
              variant={l.code === lang ? 'primary' : 'secondary'}
              aria-pressed={l.code === lang}
              lang={l.code}
              onClick={() => void chooseLanguage(l.code)}
            >
              {l.name}
            </Button>
          ))}
        </div>
      </fieldset>
      <form onSubmit={save} noValidate>
        <h2>{t('profile.details')}</h2>
        {message && <Banner tone={message.tone}>{message.text}</Banner>}
        <Field
          label={t('register.name')}
          value={form.name}
          onInput={(e) => setForm({ ...form, name: (e.target as HTMLInputElement).value })}
          error={errors.name}
        />
        <Field
          label={t('register.email')}
          type="email"
          dir="ltr"
          value={form.email}
          onInput={(e) => setForm({ ...form, email: (e.target as HTMLInputElement).value })}
          error={errors.email}
        />
        <Field label={t('register.district')} id="profile-district" error={errors.district}>
          <select
            id="profile-district"
            value={form.district}
            onChange={(e) => setForm({ ...form, district: (e.target as HTMLSelectElement).value })}
          >
            {districts.map((d) => (
              <option key={d.id} value={String(d.id)}>
                {nameIn(d, lang)}
              </option>
            ))}
          </select>
        </Field>
        <Button type="submit" busy={busy}>
          {t('profile.save')}
        </Button>
      </form>
      <Notifications />
      <p>
        <Button variant="danger" onClick={() => void logOut()}>
          {t('profile.logout')}
        </Button>
      </p>
    </Page>
  );
}

function Notifications() {
  const [prefs, setPrefs] = useState<NotificationPrefs | null>(null);
  const [pushHere, setPushHere] = useState<boolean | null>(null);
  const [message, setMessage] = useState<{ tone: 'success' | 'error' | 'info'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api
      .get<NotificationPrefs>('/me/notifications')
      .then(setPrefs)
      .catch(() => setPrefs(null));
    void currentSubscription().then((s) => setPushHere(!!s));
  }, []);

  async function toggle(key: keyof NotificationPrefs, value: boolean) {
    try {
      setPrefs(await api.put<NotificationPrefs>('/me/notifications', { [key]: value }));
    } catch (err) {
      setMessage({ tone: 'error', text: errorText(err) });
    }
  }

  async function switchPush() {
    setBusy(true);
    setMessage(null);
    try {
      if (pushHere) {
        await disablePush();
        setPushHere(false);
        setMessage({ tone: 'info', text: t('push.off') });
      } else {
        const result = await enablePush();
        setPushHere(result === 'on');
        setMessage(
          result === 'on'
            ? { tone: 'success', text: t('push.on') }
            : { tone: 'error', text: t(result === 'denied' ? 'push.denied' : 'push.unsupported') },
        );
      }
    } catch (err) {
      setMessage({
        tone: 'error',
        text: err instanceof Error && err.name !== 'ApiError' ? t('push.failed') : errorText(err),
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="notify-title">
      <h2 id="notify-title">{t('profile.notifications')}</h2>
      {message && <Banner tone={message.tone}>{message.text}</Banner>}
      {pushSupported() ? (
        <p>
          <Button
            variant="secondary"
            busy={busy}
            onClick={() => void switchPush()}
            data-push-state={pushHere ? 'on' : 'off'}
          >
            {pushHere ? t('push.disable') : t('push.enable')}
          </Button>
        </p>
      ) : (
        <p class="muted">{t('push.unsupported')}</p>
      )}
      {prefs && (
        <fieldset class="choices">
          <legend>{t('profile.channels')}</legend>
          {(['push', 'sms', 'email'] as const).map((key) => (
            <label key={key} class="choice">
              <input
                type="checkbox"
                checked={prefs[key]}
                onChange={(e) => void toggle(key, (e.target as HTMLInputElement).checked)}
              />
              <span>{t(`profile.channel.${key}`)}</span>
            </label>
          ))}
        </fieldset>
      )}
    </section>
  );
}
