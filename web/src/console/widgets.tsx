import { type ComponentChildren, cloneElement, type VNode } from 'preact';
import { useId } from 'preact/hooks';
import type { ApiError } from './api.js';
import { statusLabel, t } from './strings.js';

/**
 * Where the API's refusals are read out: an assertive live region that is always in the page, so screen
 * readers announce the message when it appears.
 */
export function ErrorRegion({ error, id }: { error: ApiError | null; id?: string }) {
  const fields = error ? Object.entries(error.fields) : [];
  return (
    <div class="error-region" role="alert" aria-live="assertive" id={id}>
      {error && (
        <div class="error">
          <p>{error.message}</p>
          {fields.length > 0 && (
            <ul>
              {fields.map(([field, message]) => (
                <li key={field}>
                  <strong>{field}</strong>: {message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** A polite region for confirmations ("Saved."). */
export function StatusRegion({ message }: { message: string | null }) {
  return (
    <p class="status-region" role="status" aria-live="polite">
      {message}
    </p>
  );
}

export function Loading() {
  return <p class="muted">{t('common.loading')}</p>;
}

export function NotAvailable({ what }: { what: string }) {
  return (
    <section class="card not-available">
      <h2>{what}</h2>
      <p>{t('common.notAvailable')}</p>
    </section>
  );
}

/**
 * A labelled control. The label points at the control by id rather than wrapping it, so a select's
 * options do not become part of its accessible name; the hint is its description.
 */
export function Field({ label, children, hint }: { label: string; children: VNode; hint?: string }) {
  const id = useId();
  const controlId = (children.props as { id?: string }).id ?? id;
  const control = cloneElement(children, {
    id: controlId,
    'aria-describedby': hint ? `${id}-hint` : undefined,
  });
  return (
    <div class="field">
      <label class="field-label" for={controlId}>
        {label}
      </label>
      {control}
      {hint && (
        <span class="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{statusLabel(status)}</span>;
}

/**
 * A choice among named things (departments, districts, categories, offices) by id. `onChange` gets 0 for
 * the empty choice, so callers say what "none" means for them.
 */
export function NamedSelect({
  label,
  name,
  items,
  empty,
  value,
  onChange,
  required,
  hint,
}: {
  label: string;
  name: string;
  items: readonly { id: number; name: string }[];
  empty: string;
  value: number | string;
  onChange: (id: number) => void;
  required?: boolean;
  hint?: string;
}) {
  return (
    <Field label={label} hint={hint}>
      <select
        name={name}
        required={required}
        value={value}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
      >
        <option value="">{empty}</option>
        {items.map((item) => (
          <option key={item.id} value={item.id}>
            {item.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** An inline form that edits one row in place: its fields, Save (or another verb) and Cancel, and the refusal read out. */
export function EditForm({
  label,
  busy,
  error,
  submitLabel,
  onSubmit,
  onCancel,
  children,
}: {
  label: string;
  busy: boolean;
  error: ApiError | null;
  submitLabel?: string;
  onSubmit: () => Promise<void>;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  return (
    <form
      class="action-form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {submitLabel ?? t('common.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
      <ErrorRegion error={error} />
    </form>
  );
}

/** A name in the portal's three languages; Urdu and Pashto are typed right to left. */
export interface Names {
  name: string;
  nameUr: string;
  namePs: string;
}

export function NameFields({ value, onChange }: { value: Names; onChange: (patch: Partial<Names>) => void }) {
  return (
    <div class="filter-row">
      <Field label={t('common.nameEn')}>
        <input
          name="name"
          required
          maxLength={200}
          value={value.name}
          onInput={(e) => onChange({ name: e.currentTarget.value })}
        />
      </Field>
      <Field label={t('common.nameUr')}>
        <input
          name="nameUr"
          lang="ur"
          dir="rtl"
          required
          maxLength={200}
          value={value.nameUr}
          onInput={(e) => onChange({ nameUr: e.currentTarget.value })}
        />
      </Field>
      <Field label={t('common.namePs')}>
        <input
          name="namePs"
          lang="ps"
          dir="rtl"
          required
          maxLength={200}
          value={value.namePs}
          onInput={(e) => onChange({ namePs: e.currentTarget.value })}
        />
      </Field>
    </div>
  );
}
