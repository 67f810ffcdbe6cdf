const IMPORT_COMMAND = [
  'npm run portal -- boundaries import districts.geojson \\',
  '  --name-property name --where province="Khyber Pakhtunkhwa" \\',
  '  --map "D I Khan=dera-ismail-khan"',
].join('\n');

/** The import runs on the server's command line: polygons are large and the name matching is interactive. */
export function BoundariesScreen() {
  return (
    <>
      <h1>District boundaries</h1>
      <section class="card">
        <p>
          Boundaries are imported on the server with the <code>portal</code> command, from a GeoJSON file of
          district polygons. Feature names are matched to the portal’s districts by name and alias; names that
          match none are listed, and <code>--map</code> assigns them.
        </p>
        <pre>
          <code>{IMPORT_COMMAND}</code>
        </pre>
        <p class="muted">
          Until boundaries are imported, a complaint’s district is taken from the nearest district
          headquarters.
        </p>
      </section>
    </>
  );
}
