import type { Selectable, Transaction } from 'kysely';
import type { Db, DbOrTrx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { DB, OfficesTable, RoutingRulesTable } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import {
  deleteRule,
  findOffice,
  findOfficeFor,
  findOfficesByIds,
  findRule,
  findRuleById,
  insertOffice,
  insertRule,
  listOffices,
  listRules,
  updateOffice,
  updateRule,
} from './repo.js';

export interface Office {
  id: number;
  code: string;
  departmentId: number;
  districtId: number;
  name: string;
  nameUr: string;
  namePs: string;
  active: boolean;
}

export interface Route {
  departmentId: number;
  /** null: no office can take it, so it waits in the provincial triage queue. */
  officeId: number | null;
}

export function officeView(row: Selectable<OfficesTable>): Office {
  return {
    id: row.id,
    code: row.code,
    departmentId: row.department_id,
    districtId: row.district_id,
    name: row.name,
    nameUr: row.name_ur,
    namePs: row.name_ps,
    active: row.active === 1,
  };
}

export interface RoutingRule {
  id: number;
  categoryId: number;
  /** null: the rule holds in every district without a rule of its own. */
  districtId: number | null;
  departmentId: number;
  /** null: the department's office in the complaint's district. */
  officeId: number | null;
  createdAt: string;
  updatedAt: string;
}

export function ruleView(row: Selectable<RoutingRulesTable>): RoutingRule {
  return {
    id: row.id,
    categoryId: row.category_id,
    districtId: row.district_id,
    departmentId: row.department_id,
    officeId: row.office_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewOffice {
  code: string;
  departmentId: number;
  districtId: number;
  name: string;
  nameUr: string;
  namePs: string;
  active?: boolean;
}

export interface RuleInput {
  categoryId: number;
  districtId: number | null;
  departmentId: number;
  officeId: number | null;
}

const validationFailed = (fields: Record<string, string>) =>
  invalid('validation_failed', 'Some fields are missing or invalid.', fields);

/**
 * Decides which office receives a complaint: the routing table maps a category (in a district, or
 * province-wide) to a fixed office or to its department's office in the complaint's district. With no
 * rule, the category's own department handles it; with no such office, triage.
 */
export class RoutingService {
  constructor(
    private readonly db: Db,
    /** Every administrative change is written to the audit log in its own transaction. */
    private readonly audit?: {
      append(
        trx: Transaction<DB>,
        entry: {
          actor: { type: 'staff'; id: number };
          action: string;
          entity: { type: string; id: number };
          before?: unknown;
          after?: unknown;
        },
      ): Promise<unknown>;
    },
  ) {}

  /** Runs a change and its audit entry in one transaction, then tells the caches. */
  private async audited<T extends { id: number }>(
    staffId: number | undefined,
    action: string,
    entity: string,
    work: (trx: Transaction<DB>) => Promise<{ before: unknown; after: T }>,
  ): Promise<T> {
    const result = await this.db.transaction().execute(async (trx) => {
      const { before, after } = await work(trx);
      if (this.audit && staffId !== undefined) {
        await this.audit.append(trx, {
          actor: { type: 'staff', id: staffId },
          action,
          entity: { type: entity, id: after.id },
          before,
          after,
        });
      }
      return after;
    });
    this.changed();
    return result;
  }

  async route(
    db: DbOrTrx,
    category: { id: number; department_id: number; parent_id: number | null },
    districtId: number,
  ): Promise<Route> {
    let rule = await findRule(db, category.id, districtId);
    if (!rule && category.parent_id !== null) rule = await findRule(db, category.parent_id, districtId);
    const departmentId = rule?.department_id ?? category.department_id;
    if (rule?.office_id) {
      const office = await findOffice(db, rule.office_id);
      if (office && office.active === 1) return { departmentId: office.department_id, officeId: office.id };
    }
    const office = await findOfficeFor(db, departmentId, districtId);
    return { departmentId, officeId: office?.id ?? null };
  }

  async office(id: number, db: DbOrTrx = this.db): Promise<Office> {
    const row = await findOffice(db, id);
    if (!row) throw notFound('The office');
    return officeView(row);
  }

  async officesByIds(ids: number[], db: DbOrTrx = this.db): Promise<Map<number, Office>> {
    const rows = await findOfficesByIds(db, [...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, officeView(r)]));
  }

  async offices(filter: { departmentId?: number; districtIds?: number[]; activeOnly?: boolean }) {
    return (await listOffices(this.db, filter)).map(officeView);
  }

  /** An office that can take complaints now; null when it does not exist or is closed. */
  async activeOffice(db: DbOrTrx, id: number): Promise<Office | null> {
    const row = await findOffice(db, id);
    return row && row.active === 1 ? officeView(row) : null;
  }

  /** The department's active office in a district, where a forward "to the department" lands. */
  async departmentOffice(db: DbOrTrx, departmentId: number, districtId: number): Promise<Office | null> {
    const row = await findOfficeFor(db, departmentId, districtId);
    return row ? officeView(row) : null;
  }

  // Administration (admins only; the routes check). Offices and rules are cached elsewhere (the reference
  // cache), so every change tells the listeners.

  private readonly listeners: (() => void)[] = [];

  onChange(listener: () => void) {
    this.listeners.push(listener);
  }

  private changed() {
    for (const l of this.listeners) l();
  }

  private async checkRefs(refs: { departmentId?: number; districtId?: number | null; categoryId?: number }) {
    const fields: Record<string, string> = {};
    const exists = async (table: 'departments' | 'districts' | 'categories', id: number) =>
      (await this.db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    if (refs.departmentId !== undefined && !(await exists('departments', refs.departmentId))) {
      fields.departmentId = 'No such department.';
    }
    if (refs.districtId != null && !(await exists('districts', refs.districtId))) {
      fields.districtId = 'No such district.';
    }
    if (refs.categoryId !== undefined && !(await exists('categories', refs.categoryId))) {
      fields.categoryId = 'No such category.';
    }
    return fields;
  }

  async createOffice(input: NewOffice, staffId?: number): Promise<Office> {
    const code = input.code.trim().toLowerCase();
    const fields = await this.checkRefs({ departmentId: input.departmentId, districtId: input.districtId });
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(code))
      fields.code = 'Use 2 to 64 letters, digits, dots or dashes.';
    const names = { name: input.name.trim(), nameUr: input.nameUr.trim(), namePs: input.namePs.trim() };
    for (const [k, v] of Object.entries(names)) if (v.length === 0) fields[k] = 'Must not be empty.';
    if (Object.keys(fields).length > 0) throw validationFailed(fields);
    try {
      return await this.audited(staffId, 'office.create', 'office', async (trx) => {
        const row = await insertOffice(trx, {
          code,
          department_id: input.departmentId,
          district_id: input.districtId,
          name: names.name,
          name_ur: names.nameUr,
          name_ps: names.namePs,
          active: input.active === false ? 0 : 1,
          created_at: new Date().toISOString(),
        });
        return { before: null, after: officeView(row) };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict('office_code_taken', 'Another office has this code.', { code: 'Already in use.' });
      }
      throw err;
    }
  }

  /** Names and whether it takes complaints; a closed office keeps its complaints but receives no new ones. */
  async updateOffice(
    id: number,
    patch: { name?: string; nameUr?: string; namePs?: string; active?: boolean },
    staffId?: number,
  ): Promise<Office> {
    const fields: Record<string, string> = {};
    const set: { name?: string; name_ur?: string; name_ps?: string; active?: number } = {};
    for (const [k, col] of [
      ['name', 'name'],
      ['nameUr', 'name_ur'],
      ['namePs', 'name_ps'],
    ] as const) {
      const v = patch[k];
      if (v === undefined) continue;
      if (v.trim().length === 0) fields[k] = 'Must not be empty.';
      set[col] = v.trim();
    }
    if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
    if (Object.keys(fields).length > 0) throw validationFailed(fields);
    return this.audited(staffId, 'office.update', 'office', async (trx) => {
      const before = await findOffice(trx, id);
      if (!before) throw notFound('The office');
      const row = Object.keys(set).length === 0 ? before : await updateOffice(trx, id, set);
      return { before: officeView(before), after: officeView(row!) };
    });
  }

  async rules(filter: { categoryId?: number; districtId?: number }): Promise<RoutingRule[]> {
    return (await listRules(this.db, filter)).map(ruleView);
  }

  /** A fixed office must be active and of the rule's department, so the rule says one thing. */
  private async checkRule(rule: RuleInput) {
    const fields = await this.checkRefs(rule);
    if (rule.officeId !== null) {
      const office = await findOffice(this.db, rule.officeId);
      if (!office) fields.officeId = 'No such office.';
      else if (office.active !== 1) fields.officeId = 'This office is closed.';
      else if (office.department_id !== rule.departmentId) {
        fields.officeId = 'The office belongs to another department.';
      }
    }
    if (Object.keys(fields).length > 0) throw validationFailed(fields);
  }

  private ruleTaken(err: unknown): never {
    if (isUniqueViolation(err)) {
      throw conflict(
        'rule_exists',
        'A rule for this category in this district (or province-wide) already exists; change that one.',
        { categoryId: 'Already has a rule here.' },
      );
    }
    throw err;
  }

  async createRule(input: RuleInput, staffId?: number): Promise<RoutingRule> {
    await this.checkRule(input);
    const now = new Date().toISOString();
    try {
      return await this.audited(staffId, 'routing_rule.create', 'routing_rule', async (trx) => {
        const row = await insertRule(trx, {
          category_id: input.categoryId,
          district_id: input.districtId,
          department_id: input.departmentId,
          office_id: input.officeId,
          created_at: now,
          updated_at: now,
        });
        return { before: null, after: ruleView(row) };
      });
    } catch (err) {
      this.ruleTaken(err);
    }
  }

  async updateRule(id: number, patch: Partial<RuleInput>, staffId?: number): Promise<RoutingRule> {
    const current = await findRuleById(this.db, id);
    if (!current) throw notFound('The routing rule');
    const next: RuleInput = {
      categoryId: patch.categoryId ?? current.category_id,
      districtId: patch.districtId === undefined ? current.district_id : patch.districtId,
      departmentId: patch.departmentId ?? current.department_id,
      officeId: patch.officeId === undefined ? current.office_id : patch.officeId,
    };
    await this.checkRule(next);
    try {
      return await this.audited(staffId, 'routing_rule.update', 'routing_rule', async (trx) => {
        const row = await updateRule(trx, id, {
          category_id: next.categoryId,
          district_id: next.districtId,
          department_id: next.departmentId,
          office_id: next.officeId,
          updated_at: new Date().toISOString(),
        });
        if (!row) throw notFound('The routing rule');
        return { before: ruleView(current), after: ruleView(row) };
      });
    } catch (err) {
      this.ruleTaken(err);
    }
  }

  async removeRule(id: number, staffId?: number): Promise<void> {
    await this.audited(staffId, 'routing_rule.remove', 'routing_rule', async (trx) => {
      const current = await findRuleById(trx, id);
      if (!current || !(await deleteRule(trx, id))) throw notFound('The routing rule');
      return { before: ruleView(current), after: { id, removed: true } };
    });
  }
}
