import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useConsole } from '../context.js';
import { useSubmit } from '../hooks.js';
import { ErrorRegion, Field, StatusRegion } from '../widgets.js';

interface BoundaryImport {
  source: string;
  features: number;
  matched: { featureName: string; districtCode: string }[];
  unmatched: string[];
  districtsWithBoundary: number;
  imported: boolean;
}

interface ImportOptions {
  nameProperty: string;
  where?: string;
  source: string;
  map: string[];
  dryRun: boolean;
}

/** The file goes as it is (it can be tens of megabytes); the choices go in the query. */
function importBoundaries(file: File, opts: ImportOptions): Promise<BoundaryImport> {
  const search = new URLSearchParams({
    nameProperty: opts.nameProperty,
    source: opts.source,
    dryRun: String(opts.dryRun),
  });
  if (opts.where) search.set('where', opts.where);
  for (const pair of opts.map) search.append('map', pair);
  const body = new Blob([file], { type: 'application/geo+json' });
  return api.post<BoundaryImport>(`/staff/boundaries/import?${search}`, body);
}

const IMPORT_COMMAND = [
  'npm run portal -- boundaries import districts.geojson \\',
  '  --name-property name --where province="Khyber Pakhtunkhwa" \\',
  '  --map "D I Khan=dera-ismail-khan"',
].join('\n');

/**
 * District boundaries from a GeoJSON file. Names are checked first (a dry run changes nothing), the admin
 * maps the names that match no district, and only then are the polygons replaced.
 */
export function BoundariesScreen() {
  const { districts } = useConsole();
  const [file, setFile] = useState<File | null>(null);
  const [nameProperty, setNameProperty] = useState('name');
  const [where, setWhere] = useState('');
  const [checked, setChecked] = useState<BoundaryImport | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();

  const options = () => ({
    nameProperty,
    where: where.trim() || undefined,
    source: file?.name ?? 'upload.geojson',
    map: Object.entries(mapping)
      .filter(([, code]) => code)
      .map(([name, code]) => `${name}=${code}`),
  });
  const reset = () => {
    setChecked(null);
    setMapping({});
    setDone(null);
  };

  return (
    <>
      <h1>District boundaries</h1>
      <p class="muted">
        Complaints are placed in a district by its boundary. Until boundaries are imported, a complaint’s
        district is taken from the nearest district headquarters.
      </p>
      <form
        class="card"
        aria-labelledby="boundaries-file-heading"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!file) return;
          setDone(null);
          await run(async () => setChecked(await importBoundaries(file, { ...options(), dryRun: true })));
        }}
      >
        <h2 id="boundaries-file-heading">1. Check a file</h2>
        <Field label="GeoJSON file" hint="A FeatureCollection of district polygons (.geojson or .json).">
          <input
            type="file"
            accept=".geojson,.json,application/geo+json,application/json"
            required
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              reset();
            }}
          />
        </Field>
        <div class="filter-row">
          <Field label="Name property" hint="The feature property that holds the district’s name.">
            <input
              value={nameProperty}
              required
              maxLength={100}
              onInput={(e) => {
                setNameProperty(e.currentTarget.value);
                reset();
              }}
            />
          </Field>
          <Field label="Only features where" hint="Optional, as property=value: province=Khyber Pakhtunkhwa">
            <input
              value={where}
              maxLength={300}
              onInput={(e) => {
                setWhere(e.currentTarget.value);
                reset();
              }}
            />
          </Field>
        </div>
        <button type="submit" disabled={busy || !file}>
          Check names
        </button>
      </form>
      <ErrorRegion error={error} />

      {checked && (
        <form
          class="card"
          aria-labelledby="boundaries-import-heading"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!file) return;
            await run(async () => {
              const imported = await importBoundaries(file, { ...options(), dryRun: false });
              setChecked(imported);
              setDone(
                `Imported ${imported.matched.length} districts from ${imported.source}: ` +
                  `${imported.districtsWithBoundary} districts now have a boundary.`,
              );
            });
          }}
        >
          <h2 id="boundaries-import-heading">2. Match names and import</h2>
          <p>
            {checked.features} features read; {checked.matched.length} match a district.
            {checked.imported ? '' : ` ${checked.districtsWithBoundary} districts have a boundary today.`}
          </p>
          {checked.unmatched.length > 0 && (
            <fieldset>
              <legend>Names that match no district</legend>
              <p class="muted">Choose the district each one is, or leave it out.</p>
              {checked.unmatched.map((name) => (
                <Field key={name} label={name}>
                  <select
                    value={mapping[name] ?? ''}
                    onChange={(e) => setMapping((m) => ({ ...m, [name]: e.currentTarget.value }))}
                  >
                    <option value="">Leave out</option>
                    {districts.map((d) => (
                      <option key={d.id} value={d.code}>
                        {d.name}
                      </option>
                    ))}
                  </select>
                </Field>
              ))}
              <button
                type="button"
                class="secondary"
                disabled={busy}
                onClick={() =>
                  run(async () => setChecked(await importBoundaries(file!, { ...options(), dryRun: true })))
                }
              >
                Check again with these districts
              </button>
            </fieldset>
          )}
          {checked.matched.length > 0 && (
            <details>
              <summary>Matched names ({checked.matched.length})</summary>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name in the file</th>
                    <th scope="col">District</th>
                  </tr>
                </thead>
                <tbody>
                  {checked.matched.map((m) => (
                    <tr key={m.featureName}>
                      <td>{m.featureName}</td>
                      <td>{districts.find((d) => d.code === m.districtCode)?.name ?? m.districtCode}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
          <button type="submit" disabled={busy || checked.matched.length === 0}>
            Replace the boundaries of the matched districts
          </button>
          <StatusRegion message={done} />
        </form>
      )}

      <section class="card">
        <h2>From the server’s command line</h2>
        <p class="muted">The same import, for files too large to upload or for scripts:</p>
        <pre>
          <code>{IMPORT_COMMAND}</code>
        </pre>
      </section>
    </>
  );
}
