import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadVapidKeys, type VapidKeys, vapidKeyProblems } from './adapters/push/vapid.js';
import type { HttpSmsOptions } from './adapters/sms/http.js';

/** The one validated configuration. Built once at start; every part of the portal reads it, none reads process.env. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  /** postgres://... for the scaled-out shape; absent means embedded SQLite under dataDir. */
  databaseUrl: string | null;
  /** PostgreSQL schema for the portal's tables (tests give each file its own). */
  databaseSchema: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  /** Per-IP route limits; benchmarks from one address turn them off. */
  rateLimits: boolean;
  secrets: Secrets;
  sms: {
    provider: 'outbox' | 'http';
    http?: HttpSmsOptions;
    receiptToken: string | null;
    receiptMap: { idField: string; statusField: string; deliveredValues: string[]; failedValues: string[] };
  };
  email: { provider: 'outbox' | 'smtp'; smtpUrl: string | null; from: string };
  otp: {
    ttlSeconds: number;
    maxAttempts: number;
    /** Resend cooldowns in seconds: the first resend waits the first value, later ones the next, the last repeats. */
    cooldownsSeconds: number[];
    maxPerNumberPerDay: number;
    maxPerIpPerHour: number;
  };
  session: { ttlHours: number };
  jobs: { pollIntervalMs: number; concurrency: number; startWorkers: boolean };
  /** Prefix of tracking numbers: KP-2026-000123. */
  trackingPrefix: string;
  media: {
    maxPhotoBytes: number;
    maxAudioBytes: number;
    maxVideoBytes: number;
    /** Files per complaint (or per reply). */
    maxFiles: number;
    /** Pixels a photo may decode to: refuses decompression bombs before they fill memory. */
    maxPhotoPixels: number;
  };
  storage: {
    provider: 'local' | 's3';
    s3?: {
      endpoint: string | null;
      region: string;
      bucket: string;
      accessKeyId: string | null;
      secretAccessKey: string | null;
      forcePathStyle: boolean;
      prefix: string;
    };
  };
  complaints: {
    /** Radius of "similar complaints nearby" before filing. */
    nearbyMeters: number;
    /** Days after resolution without the citizen's feedback before it closes "without feedback". */
    feedbackDays: number;
    /** Hours before the due date when the office is reminded. */
    reminderHours: number;
    /** Days after the escalation to the supervisor before an overdue complaint goes to the admins. */
    secondEscalationDays: number;
    /** How often the deadline sweep runs. */
    sweepSeconds: number;
  };
  web: {
    /** The built web app (citizen app at /, console at /console); absent until `npm run build -w web`. */
    distDir: string;
    /** Map tiles for the apps' maps ({z}/{x}/{y}); null shows coordinates and the district without a map. */
    mapTileUrl: string | null;
    mapAttribution: string;
  };
  push: {
    /** Signs Web Push requests; generated into DATA_DIR/vapid.json unless given. */
    vapid: VapidKeys;
    /** The contact push services may use: a mailto: or https: URL. */
    vapidSubject: string;
    /** Pushes in flight per delivery job. */
    concurrency: number;
    /** Devices per fan-out job. */
    batchSize: number;
    /** Accept push endpoints on this machine over http: a local push service for tests and benchmarks. */
    allowLocalEndpoints: boolean;
    /** Worker threads that encrypt push payloads (0: on the event loop). */
    encryptThreads: number;
  };
}

export interface Secrets {
  /** AES-256-GCM key for CNICs at rest (32 bytes). */
  cnicKey: Buffer;
  /** HMAC key for look-up hashes of CNICs, mobiles and codes (32 bytes). */
  lookupKey: Buffer;
  /** HMAC key for session tokens (32 bytes). */
  sessionKey: Buffer;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Collects every bad variable before failing, so an operator fixes them in one go. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name}=${JSON.stringify(v)}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(v.toLowerCase())) return false;
    this.problems.push(`${name}=${JSON.stringify(v)}: expected true or false`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${name}=${JSON.stringify(v)}: expected one of ${allowed.join(', ')}`);
      return fallback;
    }
    return v as T;
  }

  url(name: string, protocols: string[], fallback: string | null): string | null {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      return v;
    } catch {
      this.problems.push(
        `${name}: expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      );
      return fallback;
    }
  }

  intList(name: string, fallback: number[]): number[] {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const parts = v.split(',').map((p) => Number(p.trim()));
    if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
      this.problems.push(`${name}=${JSON.stringify(v)}: expected comma-separated whole numbers of seconds`);
      return fallback;
    }
    return parts;
  }

  key(name: string): Buffer | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const buf = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
    if (buf.length !== 32) {
      this.problems.push(`${name}: expected 32 bytes as 64 hex characters or base64`);
      return undefined;
    }
    return buf;
  }

  json<T>(name: string): T | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v) as T;
    } catch {
      this.problems.push(`${name}: expected a JSON object`);
      return undefined;
    }
  }
}

const SECRET_NAMES = { cnicKey: 'CNIC_KEY', lookupKey: 'LOOKUP_KEY', sessionKey: 'SESSION_KEY' } as const;

/**
 * Secrets come from the environment when set (the scaled-out shape); otherwise they are generated once into
 * DATA_DIR/secrets.json, readable by the owner only, so an embedded install needs no set-up.
 */
function loadSecrets(fromEnv: Partial<Secrets>, dataDir: string, canWrite: boolean): Secrets {
  if (fromEnv.cnicKey && fromEnv.lookupKey && fromEnv.sessionKey) return fromEnv as Secrets;
  const file = path.join(dataDir, 'secrets.json');
  let stored: Record<string, string> = {};
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  }
  let changed = false;
  for (const key of Object.keys(SECRET_NAMES) as (keyof Secrets)[]) {
    if (!fromEnv[key] && !stored[key]) {
      stored[key] = randomBytes(32).toString('hex');
      changed = true;
    }
  }
  if (changed && canWrite) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const pick = (k: keyof Secrets) => fromEnv[k] ?? Buffer.from(stored[k]!, 'hex');
  return { cnicKey: pick('cnicKey'), lookupKey: pick('lookupKey'), sessionKey: pick('sessionKey') };
}

export function loadConfig(env: Env = process.env, opts: { writeSecrets?: boolean } = {}): Readonly<Config> {
  const r = new Reader(env);
  const port = r.int('PORT', 3000, 0, 65535);
  const host = r.string('HOST', '0.0.0.0');
  const dataDir = path.resolve(r.string('DATA_DIR', './data'));
  const publicUrl = r.url('PUBLIC_URL', ['http:', 'https:'], null) ?? `http://localhost:${port}`;
  const databaseUrl = r.url('DATABASE_URL', ['postgres:', 'postgresql:'], null);
  const databaseSchema = r.raw('DATABASE_SCHEMA') ?? null;
  if (databaseSchema && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    r.problems.push('DATABASE_SCHEMA: expected a lower-case SQL identifier');
  }
  const logLevel = r.oneOf(
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    'info',
  );

  const smsProvider = r.oneOf('SMS_PROVIDER', ['outbox', 'http'] as const, 'outbox');
  let smsHttp: HttpSmsOptions | undefined;
  if (smsProvider === 'http') {
    const url = r.url('SMS_HTTP_URL', ['http:', 'https:'], null);
    if (!url) r.problems.push('SMS_HTTP_URL: required when SMS_PROVIDER=http');
    smsHttp = {
      url: url ?? 'http://invalid',
      method: r.oneOf('SMS_HTTP_METHOD', ['POST', 'GET'] as const, 'POST'),
      headers: r.json<Record<string, string>>('SMS_HTTP_HEADERS') ?? {},
      contentType: r.oneOf('SMS_HTTP_CONTENT_TYPE', ['json', 'form'] as const, 'json'),
      bodyTemplate: r.raw('SMS_HTTP_BODY') ?? '{"to":"{to}","text":"{text}","reference":"{reference}"}',
      queryTemplate: r.raw('SMS_HTTP_QUERY'),
      successPattern: r.raw('SMS_HTTP_SUCCESS_PATTERN'),
      messageIdPattern: r.raw('SMS_HTTP_MESSAGE_ID_PATTERN'),
      timeoutMs: r.int('SMS_HTTP_TIMEOUT_MS', 10_000, 100, 120_000),
      toFormat: r.oneOf('SMS_HTTP_TO_FORMAT', ['e164', 'digits', 'national'] as const, 'e164'),
    };
  }
  const emailProvider = r.oneOf('EMAIL_PROVIDER', ['outbox', 'smtp'] as const, 'outbox');
  const smtpUrl = r.url('SMTP_URL', ['smtp:', 'smtps:'], null);
  if (emailProvider === 'smtp' && !smtpUrl) r.problems.push('SMTP_URL: required when EMAIL_PROVIDER=smtp');

  const storageProvider = r.oneOf('STORAGE', ['local', 's3'] as const, 'local');
  const s3Bucket = r.raw('S3_BUCKET');
  if (storageProvider === 's3' && !s3Bucket) r.problems.push('S3_BUCKET: required when STORAGE=s3');
  const megabytes = (name: string, fallback: number, max: number) =>
    r.int(name, fallback, 1, max) * 1024 * 1024;
  const trackingPrefix = r.string('TRACKING_PREFIX', 'KP');
  if (!/^[A-Z]{1,6}$/.test(trackingPrefix)) {
    r.problems.push(`TRACKING_PREFIX=${JSON.stringify(trackingPrefix)}: expected 1 to 6 capital letters`);
  }

  const cooldowns = r.intList('OTP_RESEND_COOLDOWNS', [60, 120, 300, 900]);
  const vapidGiven = { publicKey: r.raw('VAPID_PUBLIC_KEY'), privateKey: r.raw('VAPID_PRIVATE_KEY') };
  r.problems.push(...vapidKeyProblems(vapidGiven));
  const vapidSubject = r.raw('VAPID_SUBJECT') ?? `mailto:admin@${new URL(publicUrl).hostname}`;
  if (!/^(mailto:|https:\/\/)\S+$/.test(vapidSubject)) {
    r.problems.push('VAPID_SUBJECT: expected a mailto: address or an https:// URL');
  }
  const config: Config = {
    port,
    host,
    dataDir,
    publicUrl: publicUrl.replace(/\/$/, ''),
    databaseUrl,
    databaseSchema,
    logLevel,
    trustProxy: r.bool('TRUST_PROXY', false),
    rateLimits: r.raw('RATE_LIMITS') !== 'off',
    secrets: { cnicKey: Buffer.alloc(0), lookupKey: Buffer.alloc(0), sessionKey: Buffer.alloc(0) },
    sms: {
      provider: smsProvider,
      http: smsHttp,
      receiptToken: r.raw('SMS_RECEIPT_TOKEN') ?? null,
      receiptMap: {
        idField: r.string('SMS_RECEIPT_ID_FIELD', 'id'),
        statusField: r.string('SMS_RECEIPT_STATUS_FIELD', 'status'),
        deliveredValues: r.string('SMS_RECEIPT_DELIVERED', 'delivered,DELIVRD').split(','),
        failedValues: r.string('SMS_RECEIPT_FAILED', 'failed,UNDELIV,REJECTD,EXPIRED').split(','),
      },
    },
    email: {
      provider: emailProvider,
      smtpUrl,
      from: r.string('EMAIL_FROM', 'Citizen Portal <no-reply@localhost>'),
    },
    otp: {
      ttlSeconds: r.int('OTP_TTL_SECONDS', 300, 30, 3600),
      maxAttempts: r.int('OTP_MAX_ATTEMPTS', 5, 1, 20),
      cooldownsSeconds: cooldowns,
      maxPerNumberPerDay: r.int('OTP_MAX_PER_NUMBER_PER_DAY', 5, 1, 100),
      maxPerIpPerHour: r.int('OTP_MAX_PER_IP_PER_HOUR', 20, 1, 10_000),
    },
    session: { ttlHours: r.int('SESSION_TTL_HOURS', 24 * 30, 1, 24 * 365) },
    jobs: {
      pollIntervalMs: r.int('JOBS_POLL_MS', 500, 10, 60_000),
      concurrency: r.int('JOBS_CONCURRENCY', 4, 1, 64),
      startWorkers: r.bool('JOBS_WORKERS', true),
    },
    trackingPrefix,
    media: {
      maxPhotoBytes: megabytes('MEDIA_MAX_PHOTO_MB', 10, 100),
      maxAudioBytes: megabytes('MEDIA_MAX_AUDIO_MB', 20, 500),
      maxVideoBytes: megabytes('MEDIA_MAX_VIDEO_MB', 100, 2048),
      maxFiles: r.int('MEDIA_MAX_FILES', 10, 1, 50),
      maxPhotoPixels: r.int('MEDIA_MAX_PHOTO_MEGAPIXELS', 50, 1, 500) * 1_000_000,
    },
    storage: {
      provider: storageProvider,
      s3:
        storageProvider === 's3'
          ? {
              endpoint: r.url('S3_ENDPOINT', ['http:', 'https:'], null),
              region: r.string('S3_REGION', 'us-east-1'),
              bucket: s3Bucket ?? '',
              accessKeyId: r.raw('S3_ACCESS_KEY_ID') ?? null,
              secretAccessKey: r.raw('S3_SECRET_ACCESS_KEY') ?? null,
              forcePathStyle: r.bool('S3_FORCE_PATH_STYLE', true),
              prefix: r.string('S3_PREFIX', ''),
            }
          : undefined,
    },
    complaints: {
      nearbyMeters: r.int('NEARBY_METERS', 100, 10, 5000),
      feedbackDays: r.int('FEEDBACK_DAYS', 7, 1, 90),
      reminderHours: r.int('SLA_REMINDER_HOURS', 24, 1, 24 * 30),
      secondEscalationDays: r.int('SECOND_ESCALATION_DAYS', 7, 1, 90),
      sweepSeconds: r.int('SLA_SWEEP_SECONDS', 60, 1, 3600),
    },
    web: {
      distDir: path.resolve(
        r.string('WEB_DIST_DIR', fileURLToPath(new URL('../../web/dist', import.meta.url))),
      ),
      mapTileUrl:
        r.raw('MAP_TILE_URL') === 'off'
          ? null
          : (r.raw('MAP_TILE_URL') ?? 'https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
      mapAttribution: r.string('MAP_ATTRIBUTION', '© OpenStreetMap contributors'),
    },
    push: {
      vapid: { publicKey: '', privateKey: '' },
      vapidSubject,
      concurrency: r.int('PUSH_CONCURRENCY', 64, 1, 1000),
      batchSize: r.int('PUSH_BATCH_SIZE', 500, 1, 10_000),
      allowLocalEndpoints: r.bool('PUSH_ALLOW_LOCAL_ENDPOINTS', false),
      encryptThreads: r.int('PUSH_ENCRYPT_THREADS', 1, 0, 16),
    },
  };
  const secretsFromEnv = {
    cnicKey: r.key(SECRET_NAMES.cnicKey),
    lookupKey: r.key(SECRET_NAMES.lookupKey),
    sessionKey: r.key(SECRET_NAMES.sessionKey),
  };
  if (r.problems.length === 0) {
    config.secrets = loadSecrets(secretsFromEnv, dataDir, opts.writeSecrets ?? true);
    config.push.vapid = loadVapidKeys(dataDir, vapidGiven, opts.writeSecrets ?? true);
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}
