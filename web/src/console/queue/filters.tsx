import { useState } from 'preact/hooks';
import type { QueueFilters } from '../api.js';
import { isAdmin, useConsole } from '../context.js';
import { t } from '../strings.js';
import { Field } from '../widgets.js';

/** The queue's filters except status (the counts choose that); applied on submit so typing stays cheap. */
export function FilterForm({
  filters,
  onApply,
  searchRef,
}: {
  filters: QueueFilters;
  onApply: (next: QueueFilters) => void;
  searchRef: { current: HTMLInputElement | null };
}) {
  const { user, districts, categories } = useConsole();
  const [draft, setDraft] = useState<QueueFilters>(filters);
  const set = (patch: Partial<QueueFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const groups = categories.filter((c) => c.parentId === null);
  const visibleDistricts =
    user.districtIds.length > 0 ? districts.filter((d) => user.districtIds.includes(d.id)) : districts;
  const number = (value: string) => (value === '' ? undefined : Number(value));

  return (
    <form
      class="filters"
      aria-label={t('queue.filters')}
      onSubmit={(e) => {
        e.preventDefault();
        onApply({ ...draft, status: filters.status, q: draft.q?.trim() || undefined });
      }}
    >
      <Field label={t('queue.search')} hint={t('queue.searchHint')}>
        <input
          type="search"
          name="q"
          ref={searchRef}
          value={draft.q ?? ''}
          maxLength={200}
          onInput={(e) => set({ q: e.currentTarget.value })}
        />
      </Field>
      <div class="filter-row">
        <Field label={t('queue.category')}>
          <select
            name="category"
            value={draft.category ?? ''}
            onChange={(e) => set({ category: number(e.currentTarget.value) })}
          >
            <option value="">{t('queue.all')}</option>
            {groups.map((group) => (
              <optgroup key={group.id} label={group.name}>
                <option value={group.id}>{group.name} (all)</option>
                {categories
                  .filter((c) => c.parentId === group.id)
                  .map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <Field label={t('queue.district')}>
          <select
            name="district"
            value={draft.district ?? ''}
            onChange={(e) => set({ district: number(e.currentTarget.value) })}
          >
            <option value="">{t('queue.all')}</option>
            {visibleDistricts.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div class="filter-row">
        <Field label={t('queue.from')}>
          <input
            type="date"
            name="from"
            value={draft.from ?? ''}
            onInput={(e) => set({ from: e.currentTarget.value || undefined })}
          />
        </Field>
        <Field label={t('queue.to')}>
          <input
            type="date"
            name="to"
            value={draft.to ?? ''}
            onInput={(e) => set({ to: e.currentTarget.value || undefined })}
          />
        </Field>
      </div>
      <div class="filter-row checks">
        <label class="check">
          <input
            type="checkbox"
            name="overdue"
            checked={draft.overdue === true}
            onChange={(e) => set({ overdue: e.currentTarget.checked || undefined })}
          />
          {t('queue.overdue')}
        </label>
        {isAdmin(user) && (
          <label class="check">
            <input
              type="checkbox"
              name="triage"
              checked={draft.triage === true}
              onChange={(e) => set({ triage: e.currentTarget.checked || undefined })}
            />
            {t('queue.triage')}
          </label>
        )}
      </div>
      <div class="buttons">
        <button type="submit" class="primary">
          {t('queue.apply')}
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft({});
            onApply({});
          }}
        >
          {t('queue.clear')}
        </button>
      </div>
    </form>
  );
}
