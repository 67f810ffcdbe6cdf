// The portal's HTTP API as the web apps call it: JSON or multipart bodies, the session cookie, the CSRF
// token on changes, and every failure turned into an ApiError with the server's stable code.

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

/** A failed call: `status` 0 means the network failed (offline, DNS, reset) and nothing was answered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get offline(): boolean {
    return this.status === 0;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A plain object is sent as JSON; FormData as multipart; a Blob as it is, with its own type. */
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Makes a retried submission safe: the server answers a repeat with the first answer. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, query?: RequestOptions['query']): Promise<T>;
  post<T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body' | 'method'>): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body?: unknown): Promise<T>;
  del<T>(path: string, body?: unknown): Promise<T>;
}

/**
 * `csrfCookie` names the readable cookie the login sets beside the HttpOnly session cookie; requests that
 * change something echo it, which a page on another site cannot do.
 */
export function createApiClient(opts: { base?: string; csrfCookie: string }): ApiClient {
  const base = opts.base ?? '/api/v1';

  async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: BodyInit | undefined;
    if (options.body instanceof FormData) {
      body = options.body;
    } else if (options.body instanceof Blob) {
      // A file sent as it is (a boundary file), typed by the caller.
      body = options.body;
      headers['content-type'] = options.body.type || 'application/octet-stream';
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const csrf = method === 'GET' ? null : readCookie(opts.csrfCookie);
    if (csrf) headers['x-csrf-token'] = csrf;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

    let response: Response;
    try {
      response = await fetch(base + path + queryString(options.query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: options.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'network', 'No connection.');
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const data = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (data as ErrorBody | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? `http_${response.status}`,
        error?.message ?? response.statusText,
        error?.fields ?? {},
      );
    }
    return data as T;
  }

  return {
    request,
    get: (path, query) => request(path, { query }),
    post: (path, body, options) => request(path, { ...options, method: 'POST', body }),
    put: (path, body) => request(path, { method: 'PUT', body }),
    patch: (path, body) => request(path, { method: 'PATCH', body }),
    del: (path, body) => request(path, { method: 'DELETE', body }),
  };
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

/** A random key for one submission, kept with it until the server has answered. */
export function newIdempotencyKey(): string {
  // randomUUID exists only in secure contexts; a portal tried over plain http on a LAN still needs keys.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0'));
  return hex.join('');
}
