import type { FastifyInstance } from 'fastify';

/**
 * The browser-hardening headers every answer carries (the usual hardening set, with the portal's
 * content security policy). They never vary by request, so they are written once here and copied onto
 * each reply with the request id; a per-request middleware chain cost a third of a small request's time.
 */
export function securityHeaders(opts: { hsts: boolean }): Readonly<Record<string, string>> {
  const csp = [
    "default-src 'self'",
    "base-uri 'self'",
    "font-src 'self' https: data:",
    "form-action 'self'",
    "frame-ancestors 'self'",
    "img-src 'self' data: blob: https:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    'upgrade-insecure-requests',
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self'",
  ].join(';');
  return Object.freeze({
    'content-security-policy': csp,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    ...(opts.hsts ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  });
}

/**
 * Answers of the API (JSON, media files, Open311) are never rendered as pages of the portal: they get the
 * short set recommended for APIs, which also forbids any script or framing should one be opened directly.
 * Document-only headers (the page policy, opener isolation) would be a kilobyte of every small answer.
 */
export function apiSecurityHeaders(opts: { hsts: boolean }): Readonly<Record<string, string>> {
  return Object.freeze({
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    ...(opts.hsts ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  });
}

const API_PREFIXES = ['/api/v1/', '/open311/'];

/** Every reply gets the security headers and its request id, set before any route runs so errors carry them too. */
export function addResponseHeaders(app: FastifyInstance, opts: { hsts: boolean }): void {
  const pages = securityHeaders(opts);
  const api = apiSecurityHeaders(opts);
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(API_PREFIXES.some((prefix) => request.url.startsWith(prefix)) ? api : pages);
    reply.header('x-request-id', request.id);
    done();
  });
}
