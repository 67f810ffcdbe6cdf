import { hash, type Options, verify } from '@node-rs/argon2';

// argon2id at OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane): a login costs a few ms of one core.
// algorithm 2 is Argon2id (a const enum in the binding's types, so it is written as its value).
const PARAMS: Options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Verified against when the account does not exist, so a wrong login takes as long as a wrong password. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-0000');
  return dummyHash;
}

export const PASSWORD_RULES = { minLength: 8, maxLength: 128 };

/** Plain rules a citizen can follow on a phone: length, and not one of the passwords everyone tries first. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_RULES.minLength)
    return `Use at least ${PASSWORD_RULES.minLength} characters.`;
  if (password.length > PASSWORD_RULES.maxLength)
    return `Use at most ${PASSWORD_RULES.maxLength} characters.`;
  if (/^(.)\1+$/.test(password) || COMMON.has(password.toLowerCase()))
    return 'This password is too easy to guess.';
  return null;
}

const COMMON = new Set([
  'password',
  'password1',
  '12345678',
  '123456789',
  '1234567890',
  'qwertyui',
  'qwerty123',
  'pakistan',
  'pakistan1',
  'pakistan123',
  'iloveyou',
  'abcd1234',
  '11223344',
  '00000000',
]);
