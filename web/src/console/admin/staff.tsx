import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, type Role, type StaffAccount, type StaffUser } from '../api.js';
import { isAdmin, nameOf, useConsole } from '../context.js';
import { asApiError, useSubmit } from '../hooks.js';
import { t } from '../strings.js';
import { EditForm, ErrorRegion, Field, Loading, NamedSelect, StatusRegion } from '../widgets.js';

const ROLES: readonly Role[] = ['admin', 'supervisor', 'officer'];
const roleName = (role: Role) => t(`staff.roles.${role}`);

type Scope = Pick<StaffAccount, 'role' | 'departmentId' | 'districtIds'>;

/**
 * Whether the signed-in person may change an account (the server decides; this only hides what it would
 * refuse): admins any, supervisors officers of their department whose districts all lie within their own.
 */
function canManage(user: StaffUser, account: Scope): boolean {
  if (user.role === 'admin') return true;
  if (
    user.role !== 'supervisor' ||
    account.role !== 'officer' ||
    account.departmentId !== user.departmentId
  ) {
    return false;
  }
  if (user.districtIds.length === 0) return true;
  return account.districtIds.length > 0 && account.districtIds.every((d) => user.districtIds.includes(d));
}

/** Staff accounts: admins manage all of them; supervisors the officers of their department in their districts. */
export function StaffScreen() {
  const { user } = useConsole();
  const [accounts, setAccounts] = useState<StaffAccount[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [round, setRound] = useState(0);
  const [saved, setSaved] = useState<string | null>(null);
  const [open, setOpen] = useState<{ id: number; form: 'edit' | 'password' } | null>(null);

  useEffect(() => {
    let current = true;
    api.staffAccounts().then(
      (page) => {
        if (!current) return;
        setAccounts(page.items);
        setCursor(page.nextCursor);
        setError(null);
      },
      (err: unknown) => current && setError(asApiError(err)),
    );
    return () => {
      current = false;
    };
  }, [round]);

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await api.staffAccounts(cursor);
      setAccounts((list) => [...(list ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(asApiError(err));
    }
  };
  const changed = (message: string) => {
    setSaved(message);
    setOpen(null);
    setRound((r) => r + 1);
  };

  return (
    <>
      <h1>{t('staff.title')}</h1>
      <p class="muted">{isAdmin(user) ? t('staff.introAdmin') : t('staff.introSupervisor')}</p>
      <NewAccountForm onCreated={(a) => changed(t('staff.created', { login: a.login }))} />
      <ErrorRegion error={error} />
      <StatusRegion message={saved} />
      {!accounts ? (
        error ? null : (
          <Loading />
        )
      ) : accounts.length === 0 ? (
        <p class="muted">{t('staff.empty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('staff.login')}</th>
              <th scope="col">{t('staff.name')}</th>
              <th scope="col">{t('staff.role')}</th>
              <th scope="col">{t('common.department')}</th>
              <th scope="col">{t('staff.districts')}</th>
              <th scope="col">{t('staff.status')}</th>
              <th scope="col">{t('staff.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <AccountRow
                key={a.id}
                account={a}
                open={open?.id === a.id ? open.form : null}
                setOpen={(form) => setOpen(form ? { id: a.id, form } : null)}
                onChanged={changed}
              />
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" class="more" onClick={more}>
          {t('common.more')}
        </button>
      )}
    </>
  );
}

function AccountRow({
  account: a,
  open,
  setOpen,
  onChanged,
}: {
  account: StaffAccount;
  open: 'edit' | 'password' | null;
  setOpen: (form: 'edit' | 'password' | null) => void;
  onChanged: (message: string) => void;
}) {
  const { user, departments, districts } = useConsole();
  const { busy, error, run } = useSubmit();
  const manageable = canManage(user, a);
  const self = a.id === user.id;
  return (
    <>
      <tr class={a.active ? undefined : 'inactive'}>
        <td>
          {a.login} {self && <span class="muted">{t('staff.you')}</span>}
        </td>
        <td dir="auto">{a.name}</td>
        <td>{roleName(a.role)}</td>
        <td>{nameOf(departments, a.departmentId)}</td>
        <td>
          {a.role === 'admin'
            ? '—'
            : a.districtIds.length === 0
              ? t('staff.allDistricts')
              : a.districtIds.map((id) => nameOf(districts, id)).join(', ')}
        </td>
        <td>{a.active ? t('staff.active') : t('staff.inactive')}</td>
        <td>
          {manageable && (
            <div class="buttons">
              <button
                type="button"
                class="small"
                aria-expanded={open === 'edit'}
                aria-label={t('staff.edit', { login: a.login })}
                onClick={() => setOpen(open === 'edit' ? null : 'edit')}
              >
                {t('common.edit')}
              </button>
              {!self && (
                <button
                  type="button"
                  class={a.active ? 'small danger' : 'small'}
                  disabled={busy}
                  aria-label={
                    a.active
                      ? t('staff.deactivate', { login: a.login })
                      : t('staff.reactivate', { login: a.login })
                  }
                  onClick={() => {
                    if (a.active && !confirm(t('staff.deactivateConfirm', { login: a.login }))) return;
                    run(() => api.updateStaffAccount(a.id, { active: !a.active })).then(
                      (ok) =>
                        ok &&
                        onChanged(
                          a.active
                            ? t('staff.deactivated', { login: a.login })
                            : t('staff.reactivated', { login: a.login }),
                        ),
                    );
                  }}
                >
                  {a.active ? t('staff.deactivateButton') : t('staff.reactivateButton')}
                </button>
              )}
              {isAdmin(user) && (
                <button
                  type="button"
                  class="small"
                  aria-expanded={open === 'password'}
                  aria-label={t('staff.resetPassword', { login: a.login })}
                  onClick={() => setOpen(open === 'password' ? null : 'password')}
                >
                  {t('staff.resetButton')}
                </button>
              )}
            </div>
          )}
          <ErrorRegion error={error} />
        </td>
      </tr>
      {open === 'edit' && (
        <tr>
          <td colSpan={7}>
            <EditAccountForm
              account={a}
              onCancel={() => setOpen(null)}
              onSaved={(saved) => onChanged(t('staff.saved', { login: saved.login }))}
            />
          </td>
        </tr>
      )}
      {open === 'password' && (
        <tr>
          <td colSpan={7}>
            <PasswordForm
              account={a}
              onCancel={() => setOpen(null)}
              onSaved={() => onChanged(t('staff.passwordSet', { login: a.login }))}
            />
          </td>
        </tr>
      )}
    </>
  );
}

/** Role, department and districts, narrowed to what the signed-in person may give. */
function ScopeFields({ value, onChange }: { value: Scope; onChange: (patch: Partial<Scope>) => void }) {
  const { user, departments, districts } = useConsole();
  const roles = isAdmin(user) ? ROLES : (['officer'] as const);
  const ownDepartments = isAdmin(user) ? departments : departments.filter((d) => d.id === user.departmentId);
  const ownDistricts =
    isAdmin(user) || user.districtIds.length === 0
      ? districts
      : districts.filter((d) => user.districtIds.includes(d.id));
  return (
    <div class="filter-row">
      <Field label={t('staff.role')}>
        <select
          name="role"
          required
          value={value.role}
          onChange={(e) => {
            const role = e.currentTarget.value as Role;
            onChange(role === 'admin' ? { role, departmentId: null, districtIds: [] } : { role });
          }}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleName(r)}
            </option>
          ))}
        </select>
      </Field>
      {value.role !== 'admin' && (
        <NamedSelect
          label={t('common.department')}
          name="departmentId"
          required
          items={ownDepartments}
          empty={t('common.choose')}
          value={value.departmentId ?? ''}
          onChange={(id) => onChange({ departmentId: id || null })}
        />
      )}
      {value.role !== 'admin' && (
        <Field label={t('staff.districts')} hint={`${t('staff.districtsHint')} ${t('common.multiHint')}`}>
          <select
            name="districtIds"
            multiple
            size={5}
            required={value.role === 'officer'}
            onChange={(e) =>
              onChange({ districtIds: [...e.currentTarget.selectedOptions].map((o) => Number(o.value)) })
            }
          >
            {ownDistricts.map((d) => (
              <option key={d.id} value={d.id} selected={value.districtIds.includes(d.id)}>
                {d.name}
              </option>
            ))}
          </select>
        </Field>
      )}
    </div>
  );
}

function NewAccountForm({ onCreated }: { onCreated: (account: StaffAccount) => void }) {
  const { user } = useConsole();
  const empty = () => ({
    login: '',
    name: '',
    password: '',
    role: 'officer' as Role,
    departmentId: isAdmin(user) ? null : user.departmentId,
    districtIds: [] as number[],
  });
  const [account, setAccount] = useState(empty);
  const { busy, error, run } = useSubmit();
  const set = (patch: Partial<ReturnType<typeof empty>>) => setAccount((a) => ({ ...a, ...patch }));
  return (
    <form
      class="card"
      aria-labelledby="new-account-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        let created: StaffAccount | undefined;
        if (await run(async () => (created = await api.createStaffAccount(account)))) {
          setAccount(empty());
          onCreated(created!);
        }
      }}
    >
      <h2 id="new-account-heading">{t('staff.new')}</h2>
      <div class="filter-row">
        <Field label={t('staff.login')} hint={t('staff.loginHint')}>
          <input
            name="login"
            required
            minLength={3}
            maxLength={64}
            autocomplete="off"
            value={account.login}
            onInput={(e) => set({ login: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('staff.name')}>
          <input
            name="name"
            required
            maxLength={200}
            value={account.name}
            onInput={(e) => set({ name: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('staff.password')} hint={t('staff.passwordHint')}>
          <input
            name="password"
            type="password"
            required
            minLength={8}
            maxLength={128}
            autocomplete="new-password"
            value={account.password}
            onInput={(e) => set({ password: e.currentTarget.value })}
          />
        </Field>
      </div>
      <ScopeFields value={account} onChange={set} />
      <button type="submit" class="primary" disabled={busy}>
        {t('staff.create')}
      </button>
      <ErrorRegion error={error} />
    </form>
  );
}

function EditAccountForm({
  account,
  onCancel,
  onSaved,
}: {
  account: StaffAccount;
  onCancel: () => void;
  onSaved: (account: StaffAccount) => void;
}) {
  const { user } = useConsole();
  const self = account.id === user.id;
  const [value, setValue] = useState({
    name: account.name,
    role: account.role,
    departmentId: account.departmentId,
    districtIds: account.districtIds,
    active: account.active,
  });
  const { busy, error, run } = useSubmit();
  const set = (patch: Partial<typeof value>) => setValue((v) => ({ ...v, ...patch }));
  return (
    <EditForm
      label={t('staff.editHeading', { login: account.login })}
      busy={busy}
      error={error}
      onCancel={onCancel}
      onSubmit={async () => {
        let saved: StaffAccount | undefined;
        if (await run(async () => (saved = await api.updateStaffAccount(account.id, value)))) onSaved(saved!);
      }}
    >
      <div class="filter-row">
        <Field label={t('staff.name')}>
          <input
            name="name"
            required
            maxLength={200}
            value={value.name}
            onInput={(e) => set({ name: e.currentTarget.value })}
          />
        </Field>
      </div>
      <ScopeFields value={value} onChange={set} />
      {!self && (
        <label class="check">
          <input
            type="checkbox"
            name="active"
            checked={value.active}
            onChange={(e) => set({ active: e.currentTarget.checked })}
          />
          {t('common.active')}
        </label>
      )}
    </EditForm>
  );
}

function PasswordForm({
  account,
  onCancel,
  onSaved,
}: {
  account: StaffAccount;
  onCancel: () => void;
  onSaved: () => void;
}) {
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  return (
    <EditForm
      label={t('staff.resetHeading', { login: account.login })}
      busy={busy}
      error={error}
      submitLabel={t('staff.setPassword')}
      onCancel={onCancel}
      onSubmit={async () => {
        if (await run(() => api.resetStaffPassword(account.id, password))) onSaved();
      }}
    >
      <Field label={t('staff.newPassword')} hint={t('staff.passwordHint')}>
        <input
          name="newPassword"
          type="password"
          required
          minLength={8}
          maxLength={128}
          autocomplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </Field>
    </EditForm>
  );
}
