import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { CategoriesTable, DepartmentsTable, DistrictsTable, OfficesTable } from '../../db/schema.js';

export interface Named {
  id: number;
  code: string;
  name: string;
  nameUr: string;
  namePs: string;
}

export interface Reference {
  categories: Map<number, Selectable<CategoriesTable>>;
  departments: Map<number, Selectable<DepartmentsTable>>;
  districts: Map<number, Selectable<DistrictsTable>>;
  offices: Map<number, Selectable<OfficesTable>>;
}

const TTL_MS = 30_000;

export function named(row: {
  id: number;
  code: string;
  name: string;
  name_ur: string;
  name_ps: string;
}): Named {
  return { id: row.id, code: row.code, name: row.name, nameUr: row.name_ur, namePs: row.name_ps };
}

/**
 * Categories, departments, districts and offices change rarely and are read on every complaint: kept in
 * memory for a few seconds (edits on another node show within TTL_MS; edits here invalidate at once).
 */
export class ReferenceCache {
  private value: { at: number; ref: Promise<Reference> } | null = null;

  constructor(private readonly db: Db) {}

  get(): Promise<Reference> {
    const now = Date.now();
    if (!this.value || now - this.value.at > TTL_MS) {
      const ref = this.load();
      this.value = { at: now, ref };
      ref.catch(() => {
        this.value = null;
      });
    }
    return this.value.ref;
  }

  invalidate() {
    this.value = null;
  }

  private async load(): Promise<Reference> {
    const [categories, departments, districts, offices] = await Promise.all([
      this.db.selectFrom('categories').selectAll().execute(),
      this.db.selectFrom('departments').selectAll().execute(),
      this.db.selectFrom('districts').selectAll().execute(),
      this.db.selectFrom('offices').selectAll().execute(),
    ]);
    const byId = <T extends { id: number }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
    return {
      categories: byId(categories),
      departments: byId(departments),
      districts: byId(districts),
      offices: byId(offices),
    };
  }
}
