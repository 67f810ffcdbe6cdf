import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';

export interface VapidKeys {
  /** Uncompressed P-256 public key, base64url: what the app passes to pushManager.subscribe(). */
  publicKey: string;
  privateKey: string;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** A public key is 65 bytes and a private key 32 once decoded; anything else a push service refuses. */
export function vapidKeyProblems(keys: Partial<VapidKeys>): string[] {
  const problems: string[] = [];
  const check = (name: string, v: string | undefined, bytes: number) => {
    if (v === undefined) return;
    if (!B64URL.test(v) || Buffer.from(v, 'base64url').length !== bytes) {
      problems.push(`${name}: expected a ${bytes}-byte key in URL-safe base64 (as web-push generates)`);
    }
  };
  check('VAPID_PUBLIC_KEY', keys.publicKey, 65);
  check('VAPID_PRIVATE_KEY', keys.privateKey, 32);
  if ((keys.publicKey === undefined) !== (keys.privateKey === undefined)) {
    problems.push('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither');
  }
  return problems;
}

/**
 * The keys that sign push requests. Taken from the configuration when given (every node of the scaled-out
 * shape must share them: a device subscribed with one public key accepts pushes signed by its pair only);
 * otherwise generated once into DATA_DIR/vapid.json, readable by the owner only.
 */
export function loadVapidKeys(dataDir: string, given: Partial<VapidKeys>, canWrite: boolean): VapidKeys {
  if (given.publicKey && given.privateKey)
    return { publicKey: given.publicKey, privateKey: given.privateKey };
  const file = path.join(dataDir, 'vapid.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as VapidKeys;
    if (vapidKeyProblems(stored).length === 0) return stored;
  }
  const keys = webpush.generateVAPIDKeys();
  if (canWrite) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return keys;
}
