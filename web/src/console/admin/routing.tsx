import { useState } from 'preact/hooks';
import { api, type Office, type RoutingRule } from '../api.js';
import { nameOf, useConsole } from '../context.js';
import { useLoad, useSubmit } from '../hooks.js';
import { ErrorRegion, Loading, NamedSelect, StatusRegion } from '../widgets.js';

/**
 * The routing table: which department (and optionally which fixed office) receives a category, in one
 * district or province-wide. Without a fixed office the department's office in the complaint's district does.
 */
export function RoutingScreen() {
  const { categories, districts } = useConsole();
  const [category, setCategory] = useState<number | undefined>();
  const [district, setDistrict] = useState<number | undefined>();
  const rules = useLoad(() => api.rules({ category, district }), [category, district]);
  const offices = useLoad(() => api.offices(), []);
  return (
    <>
      <h1>Routing table</h1>
      <div class="card filter-row">
        <NamedSelect
          label="Category"
          name="category"
          items={categories}
          empty="All"
          value={category ?? ''}
          onChange={(id) => setCategory(id || undefined)}
        />
        <NamedSelect
          label="District"
          name="district"
          items={districts}
          empty="All"
          value={district ?? ''}
          onChange={(id) => setDistrict(id || undefined)}
        />
      </div>
      <NewRuleForm offices={offices.data?.items ?? []} onCreated={rules.reload} />
      <ErrorRegion error={rules.error} />
      {!rules.data ? (
        <Loading />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col">District</th>
              <th scope="col">Department</th>
              <th scope="col">Fixed office</th>
              <th scope="col">
                <span class="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.data.items.map((r) => (
              <RuleRow key={r.id} rule={r} offices={offices.data?.items ?? []} onChanged={rules.reload} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function RuleRow({
  rule,
  offices,
  onChanged,
}: {
  rule: RoutingRule;
  offices: Office[];
  onChanged: () => void;
}) {
  const { categories, districts, departments } = useConsole();
  const { busy, error, run } = useSubmit();
  const category = nameOf(categories, rule.categoryId);
  return (
    <tr>
      <td>{category}</td>
      <td>{rule.districtId === null ? 'Province-wide' : nameOf(districts, rule.districtId)}</td>
      <td>{nameOf(departments, rule.departmentId)}</td>
      <td>{rule.officeId === null ? 'Its office in the district' : nameOf(offices, rule.officeId)}</td>
      <td>
        <button
          type="button"
          class="small"
          disabled={busy}
          aria-label={`Remove the rule for ${category}`}
          onClick={() => {
            // Removing sends the category to its own department's offices from the next complaint on.
            if (!confirm(`Remove the routing rule for ${category}?`)) return;
            run(() => api.removeRule(rule.id)).then((ok) => ok && onChanged());
          }}
        >
          Remove
        </button>
        <ErrorRegion error={error} />
      </td>
    </tr>
  );
}

function NewRuleForm({ offices, onCreated }: { offices: Office[]; onCreated: () => void }) {
  const { categories, districts, departments } = useConsole();
  const [rule, setRule] = useState({
    categoryId: 0,
    districtId: null as number | null,
    departmentId: 0,
    officeId: null as number | null,
  });
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const set = (patch: Partial<typeof rule>) => setRule((r) => ({ ...r, ...patch }));
  const candidates = offices.filter(
    (o) =>
      o.departmentId === rule.departmentId && (rule.districtId === null || o.districtId === rule.districtId),
  );
  return (
    <form
      class="card"
      aria-labelledby="new-rule-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(null);
        if (await run(() => api.createRule(rule))) {
          setSaved('Rule added.');
          onCreated();
        }
      }}
    >
      <h2 id="new-rule-heading">Add a rule</h2>
      <div class="filter-row">
        <NamedSelect
          label="Category"
          name="categoryId"
          required
          items={categories}
          empty="Choose…"
          value={rule.categoryId || ''}
          onChange={(id) => set({ categoryId: id })}
        />
        <NamedSelect
          label="District"
          name="districtId"
          items={districts}
          empty="Province-wide"
          value={rule.districtId ?? ''}
          onChange={(id) => set({ districtId: id || null, officeId: null })}
        />
        <NamedSelect
          label="Department"
          name="departmentId"
          required
          items={departments}
          empty="Choose…"
          value={rule.departmentId || ''}
          onChange={(id) => set({ departmentId: id, officeId: null })}
        />
        <NamedSelect
          label="Fixed office (optional)"
          name="officeId"
          items={candidates}
          empty="The department’s office in the complaint’s district"
          value={rule.officeId ?? ''}
          onChange={(id) => set({ officeId: id || null })}
        />
      </div>
      <button type="submit" class="primary" disabled={busy}>
        Add rule
      </button>
      <ErrorRegion error={error} />
      <StatusRegion message={saved} />
    </form>
  );
}
