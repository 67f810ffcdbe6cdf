import { useConsole } from '../context.js';

/** Departments and the complaint categories each handles, with the days an office has to resolve them. */
export function ReferenceScreen() {
  const { departments, categories } = useConsole();
  const groups = categories.filter((c) => c.parentId === null);
  return (
    <>
      <h1>Departments &amp; categories</h1>
      <p class="muted">
        The reference data the portal was seeded with. SLA: the days an office has to resolve a complaint of
        the category before it is overdue.
      </p>
      {departments.map((d) => {
        const own = groups.filter((g) => g.departmentId === d.id);
        return (
          <section class="card" key={d.id} aria-labelledby={`dept-${d.id}`}>
            <h2 id={`dept-${d.id}`}>
              {d.name} <span class="muted">({d.code})</span>
            </h2>
            <p class="muted" lang="ur" dir="rtl">
              {d.nameUr}
            </p>
            {own.length === 0 ? (
              <p class="muted">No categories.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Category</th>
                    <th scope="col">Code</th>
                    <th scope="col">SLA (days)</th>
                  </tr>
                </thead>
                <tbody>
                  {own.flatMap((g) => [
                    <tr key={g.id} class="group-row">
                      <th scope="row">{g.name}</th>
                      <td>{g.code}</td>
                      <td>{g.slaDays}</td>
                    </tr>,
                    ...categories
                      .filter((c) => c.parentId === g.id)
                      .map((c) => (
                        <tr key={c.id}>
                          <td class="indent">{c.name}</td>
                          <td>{c.code}</td>
                          <td>{c.slaDays}</td>
                        </tr>
                      )),
                  ])}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </>
  );
}
