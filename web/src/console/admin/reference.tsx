import { useState } from 'preact/hooks';
import {
  api,
  type Category,
  type Department,
  type NewCategory,
  type StaffCategory,
  type StaffDepartment,
} from '../api.js';
import { isAdmin, useConsole } from '../context.js';
import { useLoad, useSubmit } from '../hooks.js';
import { t } from '../strings.js';
import { EditForm, ErrorRegion, Field, Loading, NamedSelect, NameFields, StatusRegion } from '../widgets.js';

/**
 * Departments and the complaint categories each handles, with the days an office has to resolve them.
 * Admins add and change them here; supervisors read them.
 */
export function ReferenceScreen() {
  const { user } = useConsole();
  return isAdmin(user) ? <ReferenceEditor /> : <ReferenceList />;
}

/** What citizens are offered now, read-only. */
function ReferenceList() {
  const { departments, categories } = useConsole();
  return (
    <>
      <h1>{t('reference.title')}</h1>
      <p class="muted">{t('reference.intro')}</p>
      {departments.map((d) => (
        <DepartmentCard
          key={d.id}
          department={d}
          categories={categories.filter((c) => c.departmentId === d.id)}
        />
      ))}
    </>
  );
}

type Editing = { kind: 'department' | 'category'; id: number } | null;

function ReferenceEditor() {
  const { reloadReference } = useConsole();
  const departments = useLoad(() => api.staffDepartments(), []);
  const categories = useLoad(() => api.staffCategories(), []);
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const changed = (message: string) => {
    setSaved(message);
    setEditing(null);
    departments.reload();
    categories.reload();
    // Other screens (routing, queue filters, staff) name departments and categories from the context.
    reloadReference().catch(() => undefined);
  };
  const error = departments.error ?? categories.error;
  return (
    <>
      <h1>{t('reference.title')}</h1>
      <p class="muted">
        {t('reference.intro')} {t('reference.introAdmin')}
      </p>
      <ErrorRegion error={error} />
      <StatusRegion message={saved} />
      {!departments.data || !categories.data ? (
        <Loading />
      ) : (
        <>
          <NewCategoryForm
            departments={departments.data.items}
            categories={categories.data.items}
            onCreated={(c) => changed(t('reference.categoryAdded', { name: c.name }))}
          />
          <NewDepartmentForm onCreated={(d) => changed(t('reference.departmentAdded', { name: d.name }))} />
          {departments.data.items.map((d) => (
            <DepartmentCard
              key={d.id}
              department={d}
              categories={categories.data!.items.filter((c) => c.departmentId === d.id)}
              editor={{
                departments: departments.data!.items,
                categories: categories.data!.items,
                editing,
                setEditing,
                onSaved: changed,
              }}
            />
          ))}
        </>
      )}
    </>
  );
}

interface EditorProps {
  departments: StaffDepartment[];
  categories: StaffCategory[];
  editing: Editing;
  setEditing: (editing: Editing) => void;
  onSaved: (message: string) => void;
}

/** A department with its groups and the categories inside them; with `editor`, each can be changed. */
function DepartmentCard({
  department: d,
  categories,
  editor,
}: {
  department: Department | StaffDepartment;
  categories: (Category | StaffCategory)[];
  editor?: EditorProps;
}) {
  const groups = categories.filter((c) => c.parentId === null);
  const active = !('active' in d) || d.active;
  const editingThis = editor?.editing?.kind === 'department' && editor.editing.id === d.id;
  return (
    <section class={active ? 'card' : 'card inactive'} aria-labelledby={`dept-${d.id}`}>
      <h2 id={`dept-${d.id}`}>
        {d.name} <span class="muted">({d.code})</span>
        {!active && <span class="muted"> · {t('reference.inactive')}</span>}
      </h2>
      <p class="muted" lang="ur" dir="rtl">
        {d.nameUr}
      </p>
      {editor && 'active' in d && (
        <p>
          <button
            type="button"
            class="small"
            aria-expanded={editingThis}
            aria-label={t('reference.editDepartment', { name: d.name })}
            onClick={() => editor.setEditing(editingThis ? null : { kind: 'department', id: d.id })}
          >
            {t('common.edit')}
          </button>
        </p>
      )}
      {editor && editingThis && 'active' in d && (
        <DepartmentForm
          department={d}
          onCancel={() => editor.setEditing(null)}
          onSaved={(saved) => editor.onSaved(t('reference.departmentSaved', { name: saved.name }))}
        />
      )}
      {groups.length === 0 ? (
        <p class="muted">{t('reference.noCategories')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('reference.category')}</th>
              <th scope="col">{t('common.code')}</th>
              <th scope="col">{t('reference.sla')}</th>
              {editor && <th scope="col">{t('reference.offered')}</th>}
              {editor && (
                <th scope="col">
                  <span class="visually-hidden">{t('common.edit')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {groups.flatMap((g) => [
              <CategoryRow key={g.id} category={g} group editor={editor} />,
              ...categories
                .filter((c) => c.parentId === g.id)
                .map((c) => <CategoryRow key={c.id} category={c} editor={editor} />),
            ])}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CategoryRow({
  category: c,
  group,
  editor,
}: {
  category: Category | StaffCategory;
  group?: boolean;
  editor?: EditorProps;
}) {
  const active = !('active' in c) || c.active;
  const editingThis = editor?.editing?.kind === 'category' && editor.editing.id === c.id;
  const name = group ? <th scope="row">{c.name}</th> : <td class="indent">{c.name}</td>;
  return (
    <>
      <tr class={[group ? 'group-row' : '', active ? '' : 'inactive'].join(' ').trim() || undefined}>
        {name}
        <td>{c.code}</td>
        <td>{c.slaDays}</td>
        {editor && <td>{active ? t('common.yes') : t('common.no')}</td>}
        {editor && (
          <td>
            <button
              type="button"
              class="small"
              aria-expanded={editingThis}
              aria-label={t('reference.editCategory', { name: c.name })}
              onClick={() => editor.setEditing(editingThis ? null : { kind: 'category', id: c.id })}
            >
              {t('common.edit')}
            </button>
          </td>
        )}
      </tr>
      {editor && editingThis && 'active' in c && (
        <tr>
          <td colSpan={5}>
            <CategoryForm
              category={c}
              departments={editor.departments}
              categories={editor.categories}
              onCancel={() => editor.setEditing(null)}
              onSaved={(saved) => editor.onSaved(t('reference.categorySaved', { name: saved.name }))}
            />
          </td>
        </tr>
      )}
    </>
  );
}

/** The three names every department and category has; Urdu and Pashto are written right to left. */
function NewDepartmentForm({ onCreated }: { onCreated: (d: StaffDepartment) => void }) {
  const empty = { code: '', name: '', nameUr: '', namePs: '' };
  const [department, setDepartment] = useState(empty);
  const { busy, error, run } = useSubmit();
  const set = (patch: Partial<typeof empty>) => setDepartment((d) => ({ ...d, ...patch }));
  return (
    <form
      class="card"
      aria-labelledby="new-department-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        let created: StaffDepartment | undefined;
        if (await run(async () => (created = await api.createDepartment(department)))) {
          setDepartment(empty);
          onCreated(created!);
        }
      }}
    >
      <h2 id="new-department-heading">{t('reference.newDepartment')}</h2>
      <div class="filter-row">
        <Field label={t('common.code')} hint={t('common.codeHint')}>
          <input
            name="code"
            required
            minLength={2}
            maxLength={64}
            value={department.code}
            onInput={(e) => set({ code: e.currentTarget.value })}
          />
        </Field>
      </div>
      <NameFields value={department} onChange={set} />
      <button type="submit" class="primary" disabled={busy}>
        {t('reference.addDepartment')}
      </button>
      <ErrorRegion error={error} />
    </form>
  );
}

function DepartmentForm({
  department,
  onCancel,
  onSaved,
}: {
  department: StaffDepartment;
  onCancel: () => void;
  onSaved: (d: StaffDepartment) => void;
}) {
  const [value, setValue] = useState({
    name: department.name,
    nameUr: department.nameUr,
    namePs: department.namePs,
    active: department.active,
  });
  const { busy, error, run } = useSubmit();
  const set = (patch: Partial<typeof value>) => setValue((v) => ({ ...v, ...patch }));
  return (
    <EditForm
      label={t('reference.editDepartment', { name: department.name })}
      busy={busy}
      error={error}
      onCancel={onCancel}
      onSubmit={async () => {
        let saved: StaffDepartment | undefined;
        if (await run(async () => (saved = await api.updateDepartment(department.id, value))))
          onSaved(saved!);
      }}
    >
      <NameFields value={value} onChange={set} />
      <label class="check">
        <input
          type="checkbox"
          name="active"
          checked={value.active}
          onChange={(e) => set({ active: e.currentTarget.checked })}
        />
        {t('reference.departmentListed')}
      </label>
    </EditForm>
  );
}

/** The department, the group (top-level categories of that department) and the SLA of a category. */
function PlacementFields({
  value,
  departments,
  categories,
  self,
  onChange,
}: {
  value: { departmentId: number; parentId: number | null; slaDays: number | '' };
  departments: StaffDepartment[];
  categories: StaffCategory[];
  self?: number;
  onChange: (patch: { departmentId?: number; parentId?: number | null; slaDays?: number | '' }) => void;
}) {
  const groups = categories
    .filter((c) => c.parentId === null && c.departmentId === value.departmentId && c.id !== self)
    .map((c) => ({ id: c.id, name: c.active ? c.name : `${c.name} (${t('reference.inactive')})` }));
  return (
    <div class="filter-row">
      <NamedSelect
        label={t('common.department')}
        name="departmentId"
        required
        items={departments}
        empty={t('common.choose')}
        value={value.departmentId || ''}
        onChange={(id) => onChange({ departmentId: id, parentId: null })}
      />
      <NamedSelect
        label={t('reference.group')}
        name="parentId"
        hint={t('reference.groupHint')}
        items={groups}
        empty={t('reference.noGroup')}
        value={value.parentId ?? ''}
        onChange={(id) => onChange({ parentId: id || null })}
      />
      <Field label={t('reference.slaDays')} hint={t('reference.slaHint')}>
        <input
          name="slaDays"
          type="number"
          required
          min={1}
          max={365}
          step={1}
          inputMode="numeric"
          value={value.slaDays}
          onInput={(e) => {
            const raw = e.currentTarget.value;
            onChange({ slaDays: raw === '' ? '' : Number(raw) });
          }}
        />
      </Field>
    </div>
  );
}

/** Comma-separated in the form (Urdu's comma too), a list in the API. */
const keywordList = (text: string) =>
  text
    .split(/[,\u060c]/)
    .map((k) => k.trim())
    .filter((k) => k.length > 0);

function KeywordsField({ value, onChange }: { value: string; onChange: (text: string) => void }) {
  return (
    <Field label={t('reference.keywords')} hint={t('reference.keywordsHint')}>
      <input name="keywords" value={value} onInput={(e) => onChange(e.currentTarget.value)} />
    </Field>
  );
}

function NewCategoryForm({
  departments,
  categories,
  onCreated,
}: {
  departments: StaffDepartment[];
  categories: StaffCategory[];
  onCreated: (c: StaffCategory) => void;
}) {
  const empty = {
    code: '',
    departmentId: 0,
    parentId: null as number | null,
    name: '',
    nameUr: '',
    namePs: '',
    slaDays: 7 as number | '',
    keywords: '',
  };
  const [category, setCategory] = useState(empty);
  const { busy, error, run } = useSubmit();
  const set = (patch: Partial<typeof empty>) => setCategory((c) => ({ ...c, ...patch }));
  return (
    <form
      class="card"
      aria-labelledby="new-category-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        let created: StaffCategory | undefined;
        const body: NewCategory = {
          ...category,
          slaDays: Number(category.slaDays),
          keywords: keywordList(category.keywords),
        };
        if (await run(async () => (created = await api.createCategory(body)))) {
          setCategory(empty);
          onCreated(created!);
        }
      }}
    >
      <h2 id="new-category-heading">{t('reference.newCategory')}</h2>
      <PlacementFields value={category} departments={departments} categories={categories} onChange={set} />
      <div class="filter-row">
        <Field label={t('common.code')} hint={t('common.codeHint')}>
          <input
            name="code"
            required
            minLength={2}
            maxLength={64}
            value={category.code}
            onInput={(e) => set({ code: e.currentTarget.value })}
          />
        </Field>
      </div>
      <NameFields value={category} onChange={set} />
      <KeywordsField value={category.keywords} onChange={(keywords) => set({ keywords })} />
      <button type="submit" class="primary" disabled={busy}>
        {t('reference.addCategory')}
      </button>
      <ErrorRegion error={error} />
    </form>
  );
}

function CategoryForm({
  category,
  departments,
  categories,
  onCancel,
  onSaved,
}: {
  category: StaffCategory;
  departments: StaffDepartment[];
  categories: StaffCategory[];
  onCancel: () => void;
  onSaved: (c: StaffCategory) => void;
}) {
  const [value, setValue] = useState({
    departmentId: category.departmentId,
    parentId: category.parentId,
    name: category.name,
    nameUr: category.nameUr,
    namePs: category.namePs,
    slaDays: category.slaDays as number | '',
    keywords: category.keywords.join(', '),
    active: category.active,
  });
  const { busy, error, run } = useSubmit();
  const set = (patch: Partial<typeof value>) => setValue((v) => ({ ...v, ...patch }));
  const isGroup = categories.some((c) => c.parentId === category.id);
  return (
    <EditForm
      label={t('reference.editCategory', { name: category.name })}
      busy={busy}
      error={error}
      onCancel={onCancel}
      onSubmit={async () => {
        let saved: StaffCategory | undefined;
        const patch = { ...value, slaDays: Number(value.slaDays), keywords: keywordList(value.keywords) };
        if (await run(async () => (saved = await api.updateCategory(category.id, patch)))) onSaved(saved!);
      }}
    >
      <PlacementFields
        value={value}
        departments={departments}
        categories={categories}
        self={category.id}
        onChange={set}
      />
      <NameFields value={value} onChange={set} />
      <KeywordsField value={value.keywords} onChange={(keywords) => set({ keywords })} />
      <label class="check">
        <input
          type="checkbox"
          name="active"
          checked={value.active}
          onChange={(e) => set({ active: e.currentTarget.checked })}
        />
        {t('reference.offeredCheck')}
      </label>
      {isGroup && <p class="muted">{t('reference.groupWithdraws')}</p>}
    </EditForm>
  );
}
