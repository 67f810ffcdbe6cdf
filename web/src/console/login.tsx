import { useState } from 'preact/hooks';
import { api, type StaffUser } from './api.js';
import { useSubmit } from './hooks.js';
import { t } from './strings.js';
import { ErrorRegion, Field } from './widgets.js';

export function LoginForm({ onSignedIn }: { onSignedIn: (user: StaffUser) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  return (
    <main class="login">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => onSignedIn(await api.login(login.trim(), password)));
        }}
      >
        <h1>{t('login.title')}</h1>
        <Field label={t('login.login')}>
          <input
            name="login"
            autocomplete="username"
            required
            value={login}
            onInput={(e) => setLogin(e.currentTarget.value)}
          />
        </Field>
        <Field label={t('login.password')}>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <ErrorRegion error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  );
}
