import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { generateComplaints } from './db/generate.js';
import { generateComplaintsFast } from './db/generate-fast.js';
import { migrateToLatest } from './db/migrate.js';
import { AppError } from './errors.js';
import { createLogger } from './logger.js';
import { auditVerifyCommand } from './modules/audit/command.js';
import { AuditService } from './modules/audit/service.js';
import { rebuildRollups } from './modules/dashboards/rollup.js';
import { featuresWhere, mappingFrom, parseBoundaryFile } from './modules/geo/boundaries.js';
import { createPortal } from './runtime.js';

const USAGE = `Usage: npm run portal -- <command>

  migrate                                   apply pending database migrations
  staff create --role admin|supervisor|officer --login NAME --password PASS
               [--name "Full Name"] [--department CODE] [--districts CODE,CODE]
  boundaries import FILE.geojson [--name-property name] [--map "File name=district-code" ...]
               [--where property=value]     load district polygons; reports names that match no district
  audit verify                              check the audit log's hash chain; exits 1 at the first broken entry
  generate --complaints N [--citizens N] [--seed N] [--fast]
                                            add N generated complaints (benchmarks, dashboards);
                                            --fast: set-based in PostgreSQL, for ten million and more
  dashboards rebuild                        recompute the dashboard rollups from complaints and events
  apikey create --name NAME                 make an Open311 API key; the key is the last line printed
  apikey list                               list API keys (names, prefixes, use, revocation)
  apikey revoke --name NAME                 revoke a key at once
`;

/** Parses `--flag value` pairs; a flag may repeat (--map). */
function parseArgs(argv: string[]) {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else positional.push(a);
  }
  return { positional, flag: (n: string) => flags.get(n)?.at(-1), flags: (n: string) => flags.get(n) ?? [] };
}

class UsageError extends Error {}

async function run(argv: string[]): Promise<void> {
  // --fast is the one flag without a value.
  const fast = argv.includes('--fast');
  const args = parseArgs(argv.filter((a) => a !== '--fast'));
  const [command, sub, ...rest] = args.positional;
  const config = loadConfig();
  const logger = createLogger({ logLevel: process.env.LOG_LEVEL ? config.logLevel : 'warn' });

  if (command === 'migrate') {
    const database = openDatabase(config);
    try {
      const applied = await migrateToLatest(database);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    } finally {
      await database.close();
    }
    return;
  }

  // Read-only: the database alone, no app or job workers, so it is safe to run beside a live portal.
  if (command === 'audit' && sub === 'verify') {
    const database = openDatabase(config);
    try {
      process.exitCode = await auditVerifyCommand(new AuditService(database.db));
    } finally {
      await database.close();
    }
    return;
  }

  if (command === 'dashboards' && sub === 'rebuild') {
    const database = openDatabase(config);
    try {
      await migrateToLatest(database);
      const started = Date.now();
      await rebuildRollups(database.db);
      console.log(`Rebuilt the dashboard rollups in ${Math.round((Date.now() - started) / 1000)} s.`);
    } finally {
      await database.close();
    }
    return;
  }

  if (command === 'generate') {
    const complaints = Number(args.flag('complaints'));
    if (!Number.isInteger(complaints) || complaints < 1)
      throw new UsageError('--complaints must be a positive number');
    const citizens = args.flag('citizens') ? Number(args.flag('citizens')) : undefined;
    const seed = args.flag('seed') ? Number(args.flag('seed')) : undefined;
    const portal = await createPortal(config, logger);
    try {
      const started = Date.now();
      let shown = 0;
      const generate = fast ? generateComplaintsFast : generateComplaints;
      const result = await generate(portal.database, {
        complaints,
        citizens,
        seed,
        onProgress: (done, total) => {
          if (done - shown >= 50_000 || done === total) {
            shown = done;
            console.log(`  ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} complaints`);
          }
        },
      });
      console.log(
        `Generated ${result.complaints} complaints, ${result.events} events and ${result.citizens} citizens in ${Math.round((Date.now() - started) / 1000)} s.`,
      );
    } finally {
      await portal.close();
    }
    return;
  }

  const portal = await createPortal(config, logger);
  try {
    const { services } = portal.app;
    if (command === 'staff' && sub === 'create') {
      const role = args.flag('role');
      if (role !== 'admin' && role !== 'supervisor' && role !== 'officer') {
        throw new UsageError('--role must be admin, supervisor or officer');
      }
      const login = args.flag('login');
      const password = args.flag('password');
      if (!login || !password) throw new UsageError('--login and --password are required');
      const departments = await services.geo.departments();
      const departmentCode = args.flag('department');
      const department = departmentCode ? departments.find((d) => d.code === departmentCode) : undefined;
      if (departmentCode && !department) {
        throw new UsageError(
          `unknown department "${departmentCode}"; known: ${departments.map((d) => d.code).join(', ')}`,
        );
      }
      const districts = await services.geo.listDistricts();
      const districtCodes = (args.flag('districts') ?? '').split(',').filter(Boolean);
      const unknown = districtCodes.filter((c) => !districts.some((d) => d.code === c));
      if (unknown.length) throw new UsageError(`unknown district(s): ${unknown.join(', ')}`);
      const created = await services.staff.create({
        role,
        login,
        password,
        name: args.flag('name'),
        departmentId: department?.id ?? null,
        districtIds: districtCodes.map((c) => districts.find((d) => d.code === c)!.id),
      });
      console.log(
        `Created ${created.role} "${created.login}" (id ${created.id}). Log in at ${config.publicUrl}/console`,
      );
      return;
    }
    if (command === 'apikey' && (sub === 'create' || sub === 'list' || sub === 'revoke')) {
      const cliActor = { type: 'system' as const, id: null };
      if (sub === 'list') {
        for (const k of await services.apiKeys.list()) {
          console.log(
            `${k.id}\t${k.name}\t${k.prefix}…\tcreated ${k.createdAt}\tlast used ${k.lastUsedAt ?? 'never'}${k.revokedAt ? `\tREVOKED ${k.revokedAt}` : ''}`,
          );
        }
        return;
      }
      const name = args.flag('name');
      if (!name) throw new UsageError(`apikey ${sub} needs --name`);
      if (sub === 'revoke') {
        const revoked = await services.apiKeys.revoke(name, cliActor);
        console.log(`Revoked "${revoked.name}" (${revoked.prefix}…) at ${revoked.revokedAt}.`);
        return;
      }
      const created = await services.apiKeys.create(name, cliActor);
      console.log(`Created API key "${created.apiKey.name}" for Open311 clients. It is shown only now:`);
      console.log(created.key);
      return;
    }
    if (command === 'boundaries' && sub === 'import') {
      const file = rest[0];
      if (!file) throw new UsageError('boundaries import needs a FILE');
      const features = featuresWhere(
        parseBoundaryFile(
          readFileSync(path.resolve(process.env.INIT_CWD ?? process.cwd(), file), 'utf8'),
          args.flag('name-property') ?? 'name',
        ),
        args.flag('where'),
      );
      const mapping = mappingFrom(args.flags('map'));
      const report = await services.geo.importBoundaries(features, { source: path.basename(file), mapping });
      console.log(`Read ${report.features} features; matched ${report.matched.length} to districts.`);
      for (const m of report.matched) console.log(`  ${m.featureName} -> ${m.districtCode}`);
      console.log(`Districts with a boundary now: ${report.districtsWithBoundary}.`);
      if (report.unmatched.length) {
        console.log(`\nThese names match no district and were not imported:`);
        for (const n of report.unmatched) console.log(`  ${n}`);
        console.log(
          `Map them with --map "${report.unmatched[0]}=district-code" (codes: GET /api/v1/districts).`,
        );
      }
      return;
    }
    throw new UsageError(
      command ? `unknown command "${[command, sub].filter(Boolean).join(' ')}"` : 'no command given',
    );
  } finally {
    await portal.close();
  }
}

run(process.argv.slice(2)).catch((err) => {
  if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
  else if (err instanceof ConfigError) console.error(err.message);
  else if (err instanceof AppError)
    console.error(`${err.message}${err.fields ? ` ${JSON.stringify(err.fields)}` : ''}`);
  else console.error(err);
  process.exit(1);
});
