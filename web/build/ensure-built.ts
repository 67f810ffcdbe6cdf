// Builds the web app when web/dist is missing or older than its sources, so `npm start` on a fresh clone
// serves the apps and a second start costs only a few stat calls.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = [
  'src',
  'public',
  'index.html',
  'console/index.html',
  'vite.config.ts',
  'build',
  'package.json',
];

function newest(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(target)) latest = Math.max(latest, newest(path.join(target, entry)));
  return latest;
}

export function webIsStale(): boolean {
  const built = path.join(web, 'dist', 'index.html');
  if (!existsSync(built) || !existsSync(path.join(web, 'dist', 'sw.js'))) return true;
  const sources = Math.max(...SOURCES.map((s) => newest(path.join(web, s))));
  return sources > statSync(built).mtimeMs;
}

/** A test runner's variables (NODE_ENV=test, DEV=1, MODE...) would make a development build. */
function productionEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  for (const key of ['DEV', 'PROD', 'MODE', 'SSR', 'BASE_URL', 'TEST']) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
  return env;
}

export function ensureWebBuilt(): void {
  if (!webIsStale()) return;
  const vite = path.join(web, '..', 'node_modules', 'vite', 'bin', 'vite.js');
  const local = path.join(web, 'node_modules', 'vite', 'bin', 'vite.js');
  const bin = existsSync(local) ? local : vite;
  if (!existsSync(bin)) {
    process.stderr.write(
      'The web app is not built and Vite is not installed (npm install without --omit=dev).\n',
    );
    return;
  }
  process.stdout.write('Building the web app (web/dist)...\n');
  const result = spawnSync(process.execPath, [bin, 'build', '--logLevel', 'warn'], {
    cwd: web,
    stdio: 'inherit',
    env: productionEnv(),
  });
  if (result.status !== 0) throw new Error(`the web build failed (exit ${result.status})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) ensureWebBuilt();
