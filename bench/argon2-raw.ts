import { hash, verify } from '@node-rs/argon2';

/** Raw argon2id verifies per second at the portal's parameters, with as many in flight as the login bench. */
export async function argon2Rate(seconds: number, concurrency: number): Promise<number> {
  const stored = await hash('a-long-passphrase', {
    algorithm: 2,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  });
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await verify(stored, 'a-long-passphrase');
        done++;
      }
    }),
  );
  return done / seconds;
}
