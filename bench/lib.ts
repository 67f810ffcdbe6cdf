import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const quick = process.argv.includes('--quick');

export interface Row {
  name: string;
  value: number;
  unit: string;
  ceilingName: string | null;
  ceiling: number | null;
  ratio: number | null;
  target: string | null;
  met: boolean | null;
  detail?: Record<string, number | string>;
}

export const rows: Row[] = [];

export function record(row: Omit<Row, 'ratio' | 'met'> & { minRatio?: number; maxValue?: number }) {
  const ratio = row.ceiling ? Math.round((row.value / row.ceiling) * 1000) / 1000 : null;
  let met: boolean | null = null;
  if (row.minRatio !== undefined && ratio !== null) met = ratio >= row.minRatio;
  if (row.maxValue !== undefined) met = row.value <= row.maxValue;
  const { minRatio: _a, maxValue: _b, ...rest } = row;
  const full: Row = { ...rest, ratio, met };
  rows.push(full);
  const ratioText =
    ratio === null
      ? ''
      : `  ratio ${ratio.toFixed(2)} of ${row.ceilingName} (${fmt(row.ceiling!)} ${row.unit})`;
  const metText = met === null ? '' : met ? '  target met' : '  TARGET MISSED';
  console.log(
    `  ${row.name.padEnd(44)} ${fmt(row.value).padStart(10)} ${row.unit}${ratioText}${row.target ? `  [${row.target}]` : ''}${metText}`,
  );
  return full;
}

function fmt(n: number) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

export function writeResults() {
  const file = path.join(benchDir, 'results', 'latest.json');
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    quick,
    date: new Date().toISOString(),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ machine, results: rows }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

export interface Served {
  url: string;
  /** What the server printed up to and including its LISTENING line (fixtures, ids). */
  output: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a server script in its own process, so the load generator does not share its event loop. */
export async function serve(script: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = /LISTENING (\S+)/.exec(buffer);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  return {
    url,
    output: buffer,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  p95: number;
  errors: number;
  non2xx: number;
}

export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon({ connections: 20, duration: quick ? 3 : 10, ...opts });
  const latency = result.latency as unknown as Record<string, number>;
  return {
    rps: result.requests.average,
    p50: latency.p50 ?? 0,
    p95: latency.p97_5 ?? latency.p90 ?? 0,
    p99: latency.p99 ?? 0,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
