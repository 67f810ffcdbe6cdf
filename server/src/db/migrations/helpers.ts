import type { ColumnDataType, CreateTableBuilder, Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** A migration sees which engine it runs on only through these column helpers. */
export interface PortalMigration {
  // Migrations see the schema as it was when they were written, not today's DB type.
  // biome-ignore lint/suspicious/noExplicitAny: migrations are untyped by design
  up(db: Kysely<any>, t: ColumnTypes): Promise<void>;
}

export interface ColumnTypes {
  dialect: Dialect;
  timestamp: ColumnDataType;
  json: ColumnDataType;
  real: ColumnDataType;
  /** Adds an auto-increment integer primary key named id. */
  id<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'>;
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  const pg = dialect === 'postgres';
  return {
    dialect,
    timestamp: pg ? 'timestamptz' : 'text',
    json: pg ? 'jsonb' : 'text',
    real: pg ? 'double precision' : 'real',
    id: (table) =>
      pg
        ? table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  };
}
