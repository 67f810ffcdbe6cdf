/**
 * Domain errors: services throw these, never HTTP errors. The kind decides the HTTP status in one place
 * (http/error-handler.ts); the code is stable for clients; the message is safe to show a person.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media'
  | 'rate_limited'
  | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    /** Seconds a client should wait before trying again (rate limits, cooldowns). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalid = (code: string, message: string, fields?: Record<string, string>) =>
  new AppError('invalid', code, message, fields);
export const notFound = (what: string) => new AppError('not_found', 'not_found', `${what} was not found.`);
export const conflict = (code: string, message: string, fields?: Record<string, string>) =>
  new AppError('conflict', code, message, fields);
export const forbidden = (code: string, message: string) => new AppError('forbidden', code, message);
export const unauthenticated = (message = 'Please log in.') =>
  new AppError('unauthenticated', 'unauthenticated', message);
export const rateLimited = (code: string, message: string, retryAfterSeconds: number) =>
  new AppError('rate_limited', code, message, undefined, retryAfterSeconds);
