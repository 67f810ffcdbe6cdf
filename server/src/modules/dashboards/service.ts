import type { Db } from '../../db/database.js';
import type { ComplaintStatus } from '../../db/schema.js';
import { invalid } from '../../errors.js';
import type { StaffPrincipal } from '../../http/auth.js';
import { OPEN_STATUSES } from '../complaints/lifecycle.js';
import { type Named, named, type Reference, type ReferenceCache } from '../complaints/reference.js';
import type { GeoService } from '../geo/service.js';
import {
  currentCounts,
  type DashboardScope,
  type Dimension,
  type DrillRow,
  type EventFigure,
  type HeatFilter,
  type HeatRow,
  heatArea,
  heatCells,
  heatPlace,
  listByEvents,
  listComplaints,
  type Narrow,
  officesWithEvents,
  overdueCounts,
  type Segment,
  type Sums,
  seriesRollups,
  staffNames,
  sumRollups,
  sumStaffRollups,
} from './repo.js';
import {
  CELL_DEGREES,
  type Counter,
  cellOf,
  type HeatScale,
  HISTOGRAM,
  HISTOGRAM_HOURS,
  monthOf,
  scaledCell,
  weekOf,
} from './rollup.js';

const DAY = 86_400_000;
const MAX_RANGE_DAYS = 366 * 5;
/**
 * Overdue (open and past the due date at this instant, which no event marks) adds rollup_open_due's earlier
 * months to this month's open complaints past due, read from an index; a count is reused for this long
 * against bursts, so a dashboard's overdue figures lag by at most this.
 */
export const OVERDUE_TTL_MS = 5_000;
/** How long a heat map answer is reused, against bursts of the same view. */
export const HEAT_TTL_MS = 5_000;
/** A map at most this many grid cells across is drawn with them; a wider one with cells five times wider. */
export const FINE_CELLS_ACROSS = 64;

/** The grid cells inside cells of a scale. */
const gridCells = (c: NonNullable<HeatFilter['cells']>, scale: HeatScale) => ({
  minLat: c.minLat * scale,
  maxLat: c.maxLat * scale + scale - 1,
  minLng: c.minLng * scale,
  maxLng: c.maxLng * scale + scale - 1,
});

/** The part of the map in view (degrees). */
export interface HeatBounds {
  minLat?: number;
  minLng?: number;
  maxLat?: number;
  maxLng?: number;
}
const SERIES_LIMIT = { day: 366, week: 366 * 3, month: 366 * 10 } as const;

export interface Figures {
  received: number;
  open: number | null;
  overdue: number | null;
  resolved: number;
  reopened: number;
  closedSatisfied: number;
  closedNoFeedback: number;
  rejected: number;
  slaMet: number;
  slaMissed: number;
  /** Share of resolutions within the deadline (0..1); null without resolutions. */
  slaCompliance: number | null;
  satisfied: number;
  dissatisfied: number;
  /** Satisfied answers among the citizens' answers (0..1); null without answers. */
  satisfactionRate: number | null;
  medianResolutionHours: number | null;
  p90ResolutionHours: number | null;
}

export interface RangeQuery {
  from?: string;
  to?: string;
  department?: number;
  district?: number;
  office?: number;
  category?: number;
}

export const LEAGUE_WEIGHTS = { satisfaction: 0.6, timeliness: 0.4 } as const;
export const LEAGUE_FORMULA =
  'score = 100 × (0.6 × S + 0.4 × T), where S (confirmed satisfaction) = closures the citizen confirmed as ' +
  'satisfied ÷ (confirmed satisfied + reopened as unsatisfied + closed without feedback), and T (timeliness) = ' +
  'resolutions within the deadline ÷ all resolutions, both over the chosen dates. A part without data is left ' +
  'out and the other counts fully; with neither there is no score.';

export const METRICS = [
  'received',
  'open',
  'overdue',
  'resolved',
  'reopened',
  'closed_satisfied',
  'closed_no_feedback',
  'rejected',
] as const;
export type Metric = (typeof METRICS)[number];

/** The event behind each figure of a period, and the rollup counter that counts it. */
const EVENT_FIGURES: Record<Exclude<Metric, 'open' | 'overdue'>, EventFigure & { counter: Counter }> = {
  received: { type: 'submitted', counter: 'received' },
  resolved: { type: 'resolved', counter: 'resolved' },
  reopened: { type: 'reopened', counter: 'reopened' },
  closed_satisfied: { type: 'closed', closeReason: 'satisfied', counter: 'closed_satisfied' },
  closed_no_feedback: { type: 'closed', closeReason: 'no_feedback', counter: 'closed_no_feedback' },
  rejected: { type: 'rejected', counter: 'rejected' },
};

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

/** The q-quantile of resolution time in hours, interpolated inside the histogram's bucket. */
export function percentileHours(hist: number[], q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    const n = hist[i]!;
    if (n > 0 && seen + n >= target) {
      const lower = i === 0 ? 0 : HISTOGRAM_HOURS[i - 1]!;
      // The last bucket has no upper bound: its lower bound is the honest answer.
      if (i >= HISTOGRAM_HOURS.length) return lower;
      const upper = HISTOGRAM_HOURS[i]!;
      return Math.round((lower + ((target - seen) / n) * (upper - lower)) * 10) / 10;
    }
    seen += n;
  }
  return HISTOGRAM_HOURS[HISTOGRAM_HOURS.length - 1]!;
}

export function figuresOf(s: Sums, open: number | null, overdue: number | null): Figures {
  const hist = HISTOGRAM.map((h) => s[h] ?? 0);
  const slaMet = s.sla_met ?? 0;
  const slaMissed = s.sla_missed ?? 0;
  const satisfied = s.satisfied ?? 0;
  const dissatisfied = s.dissatisfied ?? 0;
  return {
    received: s.received ?? 0,
    open,
    overdue,
    resolved: s.resolved ?? 0,
    reopened: s.reopened ?? 0,
    closedSatisfied: s.closed_satisfied ?? 0,
    closedNoFeedback: s.closed_no_feedback ?? 0,
    rejected: s.rejected ?? 0,
    slaMet,
    slaMissed,
    slaCompliance: ratio(slaMet, slaMet + slaMissed),
    satisfied,
    dissatisfied,
    satisfactionRate: ratio(satisfied, satisfied + dissatisfied),
    medianResolutionHours: percentileHours(hist, 0.5),
    p90ResolutionHours: percentileHours(hist, 0.9),
  };
}

/** The league score of a row of counters (see LEAGUE_FORMULA). */
export function leagueScore(s: Sums) {
  const answered = (s.satisfied ?? 0) + (s.dissatisfied ?? 0) + (s.closed_no_feedback ?? 0);
  const resolved = (s.sla_met ?? 0) + (s.sla_missed ?? 0);
  const S = answered > 0 ? (s.satisfied ?? 0) / answered : null;
  const T = resolved > 0 ? (s.sla_met ?? 0) / resolved : null;
  let score: number | null = null;
  if (S !== null && T !== null)
    score = 100 * (LEAGUE_WEIGHTS.satisfaction * S + LEAGUE_WEIGHTS.timeliness * T);
  else if (S !== null) score = 100 * S;
  else if (T !== null) score = 100 * T;
  const round = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);
  return {
    score: score === null ? null : Math.round(score * 10) / 10,
    confirmedSatisfaction: round(S),
    timeliness: round(T),
  };
}

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const nextMonth = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
};

/**
 * [from, to) as whole months, whole weeks and single days, largest first: a year is about twelve month
 * buckets, a few weeks and a few days per place and category, whatever the number of complaints.
 */
/** Whether a whole month inside [.., to) begins in the week from `monday`: then days lead up to it. */
function wholeMonthStartsWithin(monday: string, to: string): boolean {
  const start = nextMonth(monthOf(monday));
  return start < addDays(monday, 7) && nextMonth(start) <= to;
}

export function segmentsOf(from: string, to: string): Segment[] {
  const out: Segment[] = [];
  const push = (period: Segment['period'], a: string, b: string) => {
    const last = out[out.length - 1];
    if (last && last.period === period && last.to === a) last.to = b;
    else out.push({ period, from: a, to: b });
  };
  let d = from;
  while (d < to) {
    if (d.endsWith('-01') && nextMonth(d) <= to) {
      push('m', d, nextMonth(d));
      d = nextMonth(d);
    } else if (weekOf(d) === d && addDays(d, 7) <= to && !wholeMonthStartsWithin(d, to)) {
      push('w', d, addDays(d, 7));
      d = addDays(d, 7);
    } else {
      push('d', d, addDays(d, 1));
      d = addDays(d, 1);
    }
  }
  return out;
}

const fieldError = (fields: Record<string, string>) =>
  invalid('validation_failed', 'Some fields are missing or invalid.', fields);

function encodeCursor(id: number): string {
  return Buffer.from(`d${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^[A-Za-z0-9_-]{1,40}$/.test(cursor)
    ? /^d(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString())
    : null;
  const id = m ? Number(m[1]) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw fieldError({ cursor: 'Not a valid cursor.' });
  return id;
}

export interface DrillItem {
  id: number;
  trackingNumber: string;
  status: ComplaintStatus;
  category: Named;
  department: Named;
  district: Named;
  office: Named | null;
  createdAt: string;
  dueAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  /** When the counted event happened (resolved, reopened, closed, rejected figures). */
  at: string | null;
}

export interface BreakdownRow extends Figures {
  key: { kind: Dimension | 'officer'; id: number; code: string | null; name: string };
}

/**
 * Performance figures read from the rollups (never a scan of the complaints per request), scoped by who
 * asks: admins everything, supervisors their department, officers their office(s).
 */
export class DashboardService {
  /** Overdue counts per scope and grouping, for OVERDUE_TTL_MS: the one figure that reads the complaints. */
  private readonly overdue = new Map<string, { at: number; counts: Promise<Map<number | null, number>> }>();
  private readonly heat = new Map<string, { at: number; cells: Promise<HeatRow[]> }>();
  /** How long answers are reused (0: never). */
  readonly reuseMs = { overdue: OVERDUE_TTL_MS, heat: HEAT_TTL_MS };

  constructor(
    private readonly deps: { db: Db; reference: ReferenceCache; geo: Pick<GeoService, 'districtBoxes'> },
  ) {}

  private overdueCounts(scope: DashboardScope, narrow: Narrow, by?: Dimension) {
    const key = JSON.stringify([scope, narrow, by ?? null]);
    const now = Date.now();
    const hit = this.overdue.get(key);
    if (hit && now - hit.at < this.reuseMs.overdue) return hit.counts;
    if (this.overdue.size > 1000) this.overdue.clear();
    const counts = overdueCounts(this.deps.db, scope, narrow, OPEN_STATUSES, new Date(now).toISOString(), by);
    this.overdue.set(key, { at: now, counts });
    counts.catch(() => this.overdue.delete(key));
    return counts;
  }

  scopeOf(staff: StaffPrincipal | 'public', ref: Reference): DashboardScope {
    if (staff === 'public' || staff.role === 'admin') return { kind: 'all' };
    if (staff.departmentId === null) return { kind: 'offices', departmentId: 0, officeIds: [] };
    if (staff.role === 'supervisor' && staff.districtIds.length === 0) {
      return { kind: 'department', departmentId: staff.departmentId };
    }
    const districts = new Set(staff.districtIds);
    const officeIds = [...ref.offices.values()]
      .filter((o) => o.department_id === staff.departmentId && districts.has(o.district_id))
      .map((o) => o.id);
    return { kind: 'offices', departmentId: staff.departmentId, officeIds };
  }

  /** Dates as given (YYYY-MM-DD, both inclusive), defaulting to the last 30 days. */
  range(q: { from?: string; to?: string }, now = new Date()): { from: string; to: string } {
    const today = now.toISOString().slice(0, 10);
    const toIncl = q.to ?? today;
    const from = q.from ?? addDays(toIncl, -29);
    const problems: Record<string, string> = {};
    for (const [k, v] of [
      ['from', from],
      ['to', toIncl],
    ] as const) {
      if (Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || addDays(v, 0) !== v) problems[k] = 'Not a real date.';
    }
    if (Object.keys(problems).length) throw fieldError(problems);
    const to = addDays(toIncl, 1);
    if (from >= to) throw fieldError({ to: 'Must not be before "from".' });
    if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * DAY) {
      throw fieldError({ from: `At most ${MAX_RANGE_DAYS} days at once.` });
    }
    return { from, to };
  }

  narrow(q: RangeQuery, ref: Reference): Narrow {
    const n: Narrow = {};
    if (q.department !== undefined) n.departmentId = q.department;
    if (q.district !== undefined) n.districtId = q.district;
    if (q.office !== undefined) n.officeId = q.office === 0 ? 0 : q.office;
    if (q.category !== undefined) {
      n.categoryIds = [
        q.category,
        ...[...ref.categories.values()].filter((c) => c.parent_id === q.category).map((c) => c.id),
      ];
    }
    return n;
  }

  async summary(staff: StaffPrincipal | 'public', q: RangeQuery) {
    const ref = await this.deps.reference.get();
    const scope = this.scopeOf(staff, ref);
    const narrow = this.narrow(q, ref);
    const range = this.range(q);
    const [sums, open, overdue] = await Promise.all([
      sumRollups(this.deps.db, scope, narrow, segmentsOf(range.from, range.to)),
      currentCounts(this.deps.db, scope, narrow, OPEN_STATUSES),
      this.overdueCounts(scope, narrow),
    ]);
    return {
      from: range.from,
      to: addDays(range.to, -1),
      scope: scope.kind,
      figures: figuresOf(sums[0]?.sums ?? {}, open.get(null) ?? 0, overdue.get(null) ?? 0),
    };
  }

  private label(kind: Dimension, id: number, ref: Reference): BreakdownRow['key'] {
    const row =
      kind === 'department'
        ? ref.departments.get(id)
        : kind === 'district'
          ? ref.districts.get(id)
          : kind === 'office'
            ? ref.offices.get(id)
            : ref.categories.get(id);
    if (kind === 'office' && id === 0) return { kind, id, code: 'triage', name: 'Provincial triage' };
    return { kind, id, code: row?.code ?? null, name: row?.name ?? `#${id}` };
  }

  async breakdown(staff: StaffPrincipal | 'public', by: Dimension | 'officer', q: RangeQuery) {
    const ref = await this.deps.reference.get();
    const scope = this.scopeOf(staff, ref);
    const narrow = this.narrow(q, ref);
    const range = this.range(q);
    const segments = segmentsOf(range.from, range.to);
    let rows: BreakdownRow[];
    if (by === 'officer') {
      if (narrow.categoryIds)
        throw fieldError({ category: 'Officers\u2019 figures are not kept per category.' });
      const sums = await sumStaffRollups(this.deps.db, scope, narrow, segments);
      const names = await staffNames(
        this.deps.db,
        sums.map((s) => s.key),
      );
      rows = sums.map((s) => ({
        key: { kind: 'officer' as const, id: s.key, code: null, name: names.get(s.key) ?? `#${s.key}` },
        ...figuresOf(s.sums, null, null),
        received: 0,
      }));
    } else {
      const [sums, open, overdue] = await Promise.all([
        sumRollups(this.deps.db, scope, narrow, segments, by),
        currentCounts(this.deps.db, scope, narrow, OPEN_STATUSES, by),
        this.overdueCounts(scope, narrow, by),
      ]);
      const keys = new Set<number>(
        [...sums.map((s) => s.key!), ...open.keys()].filter((k) => k !== null) as number[],
      );
      const byKey = new Map(sums.map((s) => [s.key!, s.sums]));
      rows = [...keys].map((k) => ({
        key: this.label(by, k, ref),
        ...figuresOf(byKey.get(k) ?? {}, open.get(k) ?? 0, overdue.get(k) ?? 0),
      }));
    }
    rows.sort(
      (a, b) => b.received - a.received || b.resolved - a.resolved || a.key.name.localeCompare(b.key.name),
    );
    return { from: range.from, to: addDays(range.to, -1), by, rows };
  }

  async series(staff: StaffPrincipal | 'public', interval: 'day' | 'week' | 'month', q: RangeQuery) {
    const ref = await this.deps.reference.get();
    const scope = this.scopeOf(staff, ref);
    const narrow = this.narrow(q, ref);
    const range = this.range(q);
    const days = (Date.parse(range.to) - Date.parse(range.from)) / DAY;
    if (days > SERIES_LIMIT[interval]) {
      throw fieldError({ interval: `A ${interval} series covers at most ${SERIES_LIMIT[interval]} days.` });
    }
    const period = interval === 'day' ? 'd' : interval === 'week' ? 'w' : 'm';
    const first =
      interval === 'day' ? range.from : interval === 'week' ? weekOf(range.from) : monthOf(range.from);
    const rows = await seriesRollups(this.deps.db, scope, narrow, { period, from: first, to: range.to });
    const byBucket = new Map(rows.map((r) => [r.bucket, r.sums]));
    const points: (Figures & { bucket: string })[] = [];
    for (let b = first; b < range.to; ) {
      points.push({ bucket: b, ...figuresOf(byBucket.get(b) ?? {}, null, null) });
      b = interval === 'day' ? addDays(b, 1) : interval === 'week' ? addDays(b, 7) : nextMonth(b);
    }
    return { from: range.from, to: addDays(range.to, -1), interval, points };
  }

  async league(staff: StaffPrincipal | 'public', by: 'department' | 'district', q: RangeQuery) {
    const ref = await this.deps.reference.get();
    const scope = this.scopeOf(staff, ref);
    const narrow = this.narrow(q, ref);
    const range = this.range(q);
    const sums = await sumRollups(this.deps.db, scope, narrow, segmentsOf(range.from, range.to), by);
    const rows = sums
      .filter((s) => s.key !== null)
      .map((s) => {
        const { key, ...rest } = { key: this.label(by, s.key!, ref), ...leagueScore(s.sums) };
        return {
          key,
          ...rest,
          resolved: s.sums.resolved ?? 0,
          satisfied: s.sums.satisfied ?? 0,
          dissatisfied: s.sums.dissatisfied ?? 0,
          closedNoFeedback: s.sums.closed_no_feedback ?? 0,
          slaMet: s.sums.sla_met ?? 0,
          slaMissed: s.sums.sla_missed ?? 0,
        };
      })
      .sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.key.name.localeCompare(b.key.name));
    return {
      from: range.from,
      to: addDays(range.to, -1),
      by,
      formula: LEAGUE_FORMULA,
      weights: LEAGUE_WEIGHTS,
      rows: rows.map((r, i) => ({ rank: r.score === null ? null : i + 1, ...r })),
    };
  }

  /** The map's bounds as given (all four or none), checked. */
  private bounds(q: HeatBounds): Required<HeatBounds> | null {
    const keys = ['minLat', 'minLng', 'maxLat', 'maxLng'] as const;
    const missing = keys.filter((k) => q[k] === undefined);
    if (missing.length === keys.length) return null;
    if (missing.length > 0) {
      throw fieldError(Object.fromEntries(missing.map((k) => [k, 'Give all four bounds, or none.'])));
    }
    const b = q as Required<HeatBounds>;
    const problems: Record<string, string> = {};
    if (b.minLat > b.maxLat) problems.maxLat = 'Must not be less than minLat.';
    if (b.minLng > b.maxLng) problems.maxLng = 'Must not be less than minLng.';
    if (Object.keys(problems).length) throw fieldError(problems);
    return b;
  }

  /**
   * The map is kept by place, not by district: a district narrows it to the district's box (its imported
   * boundary's, or around its headquarters), within the bounds when both are given.
   */
  private async heatBounds(q: RangeQuery & HeatBounds): Promise<Required<HeatBounds> | null | 'empty'> {
    const bounds = this.bounds(q);
    if (q.district === undefined) return bounds;
    const district = (await this.deps.geo.districtBoxes()).get(q.district);
    if (!district) throw fieldError({ district: 'Unknown district.' });
    const box = district.box;
    if (!bounds) return box;
    const within = {
      minLat: Math.max(bounds.minLat, box.minLat),
      minLng: Math.max(bounds.minLng, box.minLng),
      maxLat: Math.min(bounds.maxLat, box.maxLat),
      maxLng: Math.min(bounds.maxLng, box.maxLng),
    };
    return within.minLat > within.maxLat || within.minLng > within.maxLng ? 'empty' : within;
  }

  async heatmap(
    staff: StaffPrincipal | 'public',
    q: RangeQuery & HeatBounds & { status?: ComplaintStatus[] },
  ): Promise<{
    from: string;
    to: string;
    cellDegrees: number;
    cells: { lat: number; lng: number; count: number }[];
  }> {
    const ref = await this.deps.reference.get();
    const scope = this.scopeOf(staff, ref);
    const range = this.range(q);
    const fromMonth = monthOf(range.from);
    const toMonth = monthOf(addDays(range.to, -1));
    // Filing dates count in whole months here.
    const months = { from: fromMonth, to: addDays(nextMonth(toMonth), -1) };
    const bounds = await this.heatBounds(q);
    if (bounds === 'empty') return { ...months, cellDegrees: CELL_DEGREES, cells: [] };
    // An office's cells are found under its department's.
    const narrow = this.narrow(q, ref);
    const office = narrow.officeId ? ref.offices.get(narrow.officeId) : undefined;
    if (office && narrow.departmentId === undefined) narrow.departmentId = office.department_id;
    // Views wider than FINE_CELLS_ACROSS grid cells get the wider cells.
    const span = bounds ? Math.max(bounds.maxLat - bounds.minLat, bounds.maxLng - bounds.minLng) : 0;
    const scale: HeatScale = span > FINE_CELLS_ACROSS * CELL_DEGREES ? 5 : 1;
    const monthList: string[] = [];
    for (let m = fromMonth; m <= toMonth; m = nextMonth(m)) monthList.push(m);
    const statuses = q.status && q.status.length > 0 ? [...new Set(q.status)].sort() : undefined;
    // Whole cells at the scale that touch the bounds.
    const at = (deg: number) => scaledCell(cellOf(deg), scale);
    const cells = bounds
      ? {
          minLat: at(bounds.minLat),
          maxLat: at(bounds.maxLat),
          minLng: at(bounds.minLng),
          maxLng: at(bounds.maxLng),
        }
      : undefined;
    const key = JSON.stringify([scope, narrow, monthList, statuses, scale, cells]);
    const now = Date.now();
    let hit = this.heat.get(key);
    if (!hit || now - hit.at >= this.reuseMs.heat) {
      if (this.heat.size > 1000) this.heat.clear();
      hit = { at: now, cells: this.readHeat(scope, narrow, { months: monthList, statuses }, scale, cells) };
      this.heat.set(key, hit);
      hit.cells.catch(() => this.heat.delete(key));
    }
    const found = await hit.cells;
    const degrees = CELL_DEGREES * scale;
    const round = (x: number) => Math.round(x * 10_000) / 10_000;
    return {
      ...months,
      cellDegrees: round(degrees),
      cells: found.map((c) => ({
        lat: round((c.cellLat + 0.5) * degrees),
        lng: round((c.cellLng + 0.5) * degrees),
        count: c.count,
      })),
    };
  }

  /**
   * Everything (admins) is read from heat_area at the scale; a department or an office from heat_place and
   * some categories from heat_cells, whose grid cells are then added up into cells of the scale.
   */
  private async readHeat(
    scope: DashboardScope,
    narrow: Narrow,
    f: HeatFilter,
    scale: HeatScale,
    cells?: HeatFilter['cells'],
  ) {
    const db = this.deps.db;
    if (
      scope.kind === 'all' &&
      narrow.departmentId === undefined &&
      narrow.officeId === undefined &&
      !narrow.categoryIds
    ) {
      return heatArea(db, scale, { ...f, cells });
    }
    const grid = { ...f, cells: cells && gridCells(cells, scale) };
    const found = narrow.categoryIds
      ? await heatCells(db, scope, narrow, grid)
      : await heatPlace(db, scope, narrow, grid);
    if (scale === 1) return found;
    const merged = new Map<string, HeatRow>();
    for (const c of found) {
      const cellLat = scaledCell(c.cellLat, scale);
      const cellLng = scaledCell(c.cellLng, scale);
      const k = `${cellLat},${cellLng}`;
      const m = merged.get(k);
      if (m) m.count += c.count;
      else merged.set(k, { cellLat, cellLng, count: c.count });
    }
    return [...merged.values()];
  }

  /** The complaints behind a figure, newest first, a page at a time. */
  async complaints(
    staff: StaffPrincipal,
    q: RangeQuery & { metric: Metric; officer?: number; cursor?: string; limit: number },
  ): Promise<{ items: DrillItem[]; nextCursor: string | null }> {
    const ref = await this.deps.reference.get();
    const scope = this.scopeOf(staff, ref);
    const narrow = this.narrow(q, ref);
    const range = this.range(q);
    const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const limit = q.limit + 1;
    if (q.officer !== undefined && q.metric !== 'resolved') {
      throw fieldError({ officer: 'Only the resolved figure is listed per officer.' });
    }
    let rows: DrillRow[];
    const db = this.deps.db;
    if (q.metric === 'open' || q.metric === 'overdue') {
      rows = await listComplaints(db, scope, narrow, {
        statuses: OPEN_STATUSES,
        overdueAt: q.metric === 'overdue' ? new Date().toISOString() : undefined,
        beforeId: before,
        limit,
      });
    } else {
      const figure = EVENT_FIGURES[q.metric];
      // Everything an admin sees is one walk of the kind's events; anything narrower is read per office.
      const everywhere = scope.kind === 'all' && q.officer === undefined && Object.keys(narrow).length === 0;
      const offices = everywhere
        ? undefined
        : await officesWithEvents(
            db,
            scope,
            narrow,
            segmentsOf(range.from, range.to),
            figure.counter,
            q.officer,
          );
      rows = await listByEvents(db, narrow, {
        ...figure,
        offices,
        staffId: q.officer,
        from: `${range.from}T00:00:00.000Z`,
        before: `${range.to}T00:00:00.000Z`,
        afterEventId: before,
        limit,
      });
    }
    const page = rows.slice(0, q.limit);
    const items = page.map((r): DrillItem => {
      const office = r.office_id === null ? undefined : ref.offices.get(r.office_id);
      return {
        id: r.id,
        trackingNumber: r.tracking_number,
        status: r.status,
        category: named(ref.categories.get(r.category_id)!),
        department: named(ref.departments.get(r.department_id)!),
        district: named(ref.districts.get(r.district_id)!),
        office: office ? named(office) : null,
        createdAt: r.created_at,
        dueAt: r.due_at,
        resolvedAt: r.resolved_at,
        closedAt: r.closed_at,
        at: r.at,
      };
    });
    const last = page[page.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.event_id ?? last.id) : null,
    };
  }
}
