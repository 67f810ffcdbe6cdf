import type { Db } from '../../db/database.js';
import { notFound } from '../../errors.js';
import type { StaffPrincipal } from '../../http/auth.js';
import type { AuditService } from '../audit/service.js';
import type { ReferenceCache } from '../complaints/reference.js';
import type { DashboardService, RangeQuery } from '../dashboards/service.js';
import type { GeoService } from '../geo/service.js';
import { getSetting, putSetting, recentPoints } from './repo.js';

const KEY = 'public_page';
const DAY = 86_400_000;
/** About 100 m: three decimals of a degree. */
const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The public transparency page: the same figures as the dashboards for the province, each district and
 * department, and a map of complaints with only the category, status, dates and a location rounded to about
 * 100 m; never a name, a citizen's text or media. An admin can switch it off (audited); then it is a 404.
 */
export class TransparencyService {
  constructor(
    private readonly deps: {
      db: Db;
      audit: AuditService;
      dashboards: DashboardService;
      reference: ReferenceCache;
      geo: Pick<GeoService, 'districtBoxes'>;
    },
  ) {}

  async enabled(): Promise<boolean> {
    const row = await getSetting(this.deps.db, KEY);
    return row?.value !== 'off';
  }

  async setting() {
    const row = await getSetting(this.deps.db, KEY);
    return {
      enabled: row?.value !== 'off',
      updatedAt: row?.updated_at ?? null,
      updatedBy: row?.updated_by ?? null,
    };
  }

  async setEnabled(enabled: boolean, staff: StaffPrincipal) {
    await this.deps.db.transaction().execute(async (trx) => {
      const before = await getSetting(trx, KEY);
      const at = new Date().toISOString();
      await putSetting(trx, {
        key: KEY,
        value: enabled ? 'on' : 'off',
        updated_by: staff.id,
        updated_at: at,
      });
      await this.deps.audit.append(trx, {
        actor: { type: 'staff', id: staff.id },
        action: 'settings.public_page',
        entity: { type: 'setting', id: KEY },
        before: { enabled: before?.value !== 'off' },
        after: { enabled },
      });
    });
    return this.setting();
  }

  private async open() {
    if (!(await this.enabled())) throw notFound('The public page');
  }

  async figures(q: Pick<RangeQuery, 'from' | 'to'>) {
    await this.open();
    const { dashboards } = this.deps;
    const [province, districts, departments, leagueDepartments, leagueDistricts] = await Promise.all([
      dashboards.summary('public', q),
      dashboards.breakdown('public', 'district', q),
      dashboards.breakdown('public', 'department', q),
      dashboards.league('public', 'department', q),
      dashboards.league('public', 'district', q),
    ]);
    return {
      from: province.from,
      to: province.to,
      province: province.figures,
      districts: districts.rows,
      departments: departments.rows,
      league: {
        formula: leagueDepartments.formula,
        departments: leagueDepartments.rows,
        districts: leagueDistricts.rows,
      },
    };
  }

  async map(q: { days?: number; district?: number; category?: number }) {
    await this.open();
    const ref = await this.deps.reference.get();
    const categoryIds =
      q.category === undefined
        ? undefined
        : [
            q.category,
            ...[...ref.categories.values()].filter((c) => c.parent_id === q.category).map((c) => c.id),
          ];
    const rows = await recentPoints(this.deps.db, {
      from: new Date(Date.now() - (q.days ?? 30) * DAY).toISOString(),
      districtId: q.district,
      categoryIds,
      limit: 2000,
    });
    return rows.map((r) => {
      const c = ref.categories.get(r.category_id);
      return {
        lat: round(r.lat!),
        lng: round(r.lng!),
        category: c ? { code: c.code, name: c.name } : null,
        status: r.status,
        filedOn: r.created_at.slice(0, 10),
        updatedOn: r.updated_at.slice(0, 10),
      };
    });
  }

  /** Each district's box, for the public map's district picker. */
  async districts() {
    await this.open();
    return [...(await this.deps.geo.districtBoxes()).values()].map(({ district, box }) => ({
      id: district.id,
      code: district.code,
      name: district.name,
      box,
    }));
  }
}
