import { useState } from 'preact/hooks';
import { api, optional } from '../api.js';
import { useLoad } from '../hooks.js';
import { ErrorRegion, Field, Loading, NotAvailable } from '../widgets.js';

interface Figures {
  received: number;
  open: number | null;
  overdue: number | null;
  resolved: number;
  reopened: number;
  rejected: number;
  slaCompliance: number | null;
  satisfactionRate: number | null;
  closedNoFeedback: number;
  medianResolutionHours: number | null;
}
interface Key {
  kind: string;
  id: number;
  name: string;
}
interface LeagueRow {
  rank: number | null;
  key: Key;
  score: number | null;
  confirmedSatisfaction: number | null;
  timeliness: number | null;
  resolved: number;
}

const percent = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);
const count = (n: number | null) => (n === null ? '—' : n.toLocaleString('en'));
const hours = (h: number | null) =>
  h === null ? '—' : h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} days`;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/**
 * What citizens experience, in the caller's scope: the summary figures for a period and the league of
 * departments by confirmed satisfaction and timeliness. Each table downloads as CSV from the same route.
 */
export function DashboardsScreen() {
  const [range, setRange] = useState({ from: daysAgo(30), to: daysAgo(0) });
  const query = `from=${range.from}&to=${range.to}`;
  const summary = useLoad(
    () => optional(api.get<{ figures: Figures }>(`/staff/dashboards/summary?${query}`)),
    [query],
  );
  const league = useLoad(
    () => optional(api.get<{ rows: LeagueRow[] }>(`/staff/dashboards/league?by=department&${query}`)),
    [query],
  );
  if (summary.data === null) return <NotAvailable what="Dashboards" />;
  const f = summary.data?.figures;
  return (
    <>
      <h1>Dashboards</h1>
      <div class="card filter-row">
        <Field label="From">
          <input
            type="date"
            name="from"
            value={range.from}
            onChange={(e) => setRange({ ...range, from: e.currentTarget.value })}
          />
        </Field>
        <Field label="To">
          <input
            type="date"
            name="to"
            value={range.to}
            onChange={(e) => setRange({ ...range, to: e.currentTarget.value })}
          />
        </Field>
      </div>
      <ErrorRegion error={summary.error ?? league.error} />
      {!f ? (
        <Loading />
      ) : (
        <dl class="figures">
          {[
            ['Received', count(f.received)],
            ['Open now', count(f.open)],
            ['Overdue now', count(f.overdue)],
            ['Resolved', count(f.resolved)],
            ['Reopened', count(f.reopened)],
            ['Rejected', count(f.rejected)],
            ['Resolved within SLA', percent(f.slaCompliance)],
            ['Citizens satisfied', percent(f.satisfactionRate)],
            ['Closed without feedback', count(f.closedNoFeedback)],
            ['Median time to resolve', hours(f.medianResolutionHours)],
          ].map(([label, value]) => (
            <div key={label} class="card">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      <p>
        <a href={`/api/v1/staff/dashboards/summary?${query}&format=csv`}>Download the figures (CSV)</a>
      </p>
      {league.data && (
        <section class="card" aria-labelledby="league-heading">
          <h2 id="league-heading">Departments</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Rank</th>
                <th scope="col">Department</th>
                <th scope="col">Score</th>
                <th scope="col">Confirmed satisfaction</th>
                <th scope="col">Timeliness</th>
                <th scope="col">Resolved</th>
              </tr>
            </thead>
            <tbody>
              {league.data.rows.map((r) => (
                <tr key={r.key.id}>
                  <td>{r.rank ?? '—'}</td>
                  <td>{r.key.name}</td>
                  <td>{r.score === null ? '—' : r.score.toFixed(2)}</td>
                  <td>{percent(r.confirmedSatisfaction)}</td>
                  <td>{percent(r.timeliness)}</td>
                  <td>{count(r.resolved)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <a href={`/api/v1/staff/dashboards/league?by=department&${query}&format=csv`}>
              Download the league (CSV)
            </a>
          </p>
        </section>
      )}
    </>
  );
}
