import type { SmsGateway, SmsMessage, SmsSendResult } from './types.js';

export interface HttpSmsOptions {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  /** For POST: the body, with {to}, {text} and {reference} placeholders. */
  bodyTemplate?: string;
  contentType: 'json' | 'form';
  /** For GET (and extra POST parameters): a query string with the same placeholders. */
  queryTemplate?: string;
  /** Statuses counted as accepted; 200-299 when absent. */
  successStatus?: number[];
  /** A regular expression the response body must match to count as accepted. */
  successPattern?: string;
  /** A regular expression whose first group is the gateway's message id. */
  messageIdPattern?: string;
  timeoutMs: number;
  /** How the gateway wants the number: +923001234567, 923001234567 or 03001234567. */
  toFormat: 'e164' | 'digits' | 'national';
}

/** 'national' is as dialled from Pakistan: 03001234567 at home, 00447911123456 for a number abroad. */
export function formatNumber(e164: string, format: HttpSmsOptions['toFormat']): string {
  if (format === 'e164') return e164;
  const digits = e164.replace(/^\+/, '');
  if (format === 'digits') return digits;
  return digits.startsWith('92') ? `0${digits.slice(2)}` : `00${digits}`;
}

/**
 * A short piece of the gateway's answer for the message's error column. Some gateways echo the text back, and
 * the text may hold a one-time code that must not reach the database or the logs: the text and every run of
 * four or more digits in it are cut out before the excerpt is taken.
 */
function excerpt(body: string, msg: SmsMessage): string {
  const secrets = [msg.text, JSON.stringify(msg.text).slice(1, -1), encodeURIComponent(msg.text)];
  secrets.push(...(msg.text.match(/\d{4,}/g) ?? []));
  let out = body;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** Fills a template; each value is escaped for where it lands (inside a JSON string, or a URL-encoded field). */
export function fillTemplate(
  template: string,
  values: Record<string, string>,
  encoding: 'json' | 'url',
): string {
  return template.replace(/\{(to|text|reference)\}/g, (_m, key: string) => {
    const v = values[key] ?? '';
    return encoding === 'json' ? JSON.stringify(v).slice(1, -1) : encodeURIComponent(v);
  });
}

/** A generic HTTP gateway that fits the Pakistani SMS aggregators' APIs by configuration alone. */
export function createHttpGateway(options: HttpSmsOptions): SmsGateway {
  // Bad settings (URL, headers, patterns) throw here, at start, rather than fail every message later.
  const baseUrl = new URL(options.url);
  new Headers(options.headers);
  const successPattern = options.successPattern ? new RegExp(options.successPattern) : null;
  const idPattern = options.messageIdPattern ? new RegExp(options.messageIdPattern) : null;
  return {
    name: 'http',
    async send(msg: SmsMessage): Promise<SmsSendResult> {
      const values = { to: formatNumber(msg.to, options.toFormat), text: msg.text, reference: msg.reference };
      const url = new URL(baseUrl);
      if (options.queryTemplate) {
        const extra = new URLSearchParams(fillTemplate(options.queryTemplate, values, 'url'));
        for (const [k, v] of extra) url.searchParams.append(k, v);
      }
      // Headers, so that a configured 'Content-Type' is not doubled by our lower-case default.
      const headers = new Headers(options.headers);
      let body: string | undefined;
      if (options.method === 'POST' && options.bodyTemplate) {
        const json = options.contentType === 'json';
        body = fillTemplate(options.bodyTemplate, values, json ? 'json' : 'url');
        if (!headers.has('content-type')) {
          headers.set('content-type', json ? 'application/json' : 'application/x-www-form-urlencoded');
        }
      }
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: options.method,
          headers,
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        text = await response.text();
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        return {
          status: 'failed',
          retryable: true,
          error:
            e.name === 'TimeoutError'
              ? `gateway timed out after ${options.timeoutMs} ms`
              : `network: ${e.cause?.code ?? e.message}`,
        };
      }
      const okStatus = options.successStatus
        ? options.successStatus.includes(response.status)
        : response.status >= 200 && response.status < 300;
      if (!okStatus) {
        return {
          status: 'failed',
          // A 4xx is our request's fault and will fail again, except "too many requests" and "timed out".
          retryable: response.status >= 500 || response.status === 429 || response.status === 408,
          error: `gateway answered ${response.status}: ${excerpt(text, msg)}`,
        };
      }
      if (successPattern && !successPattern.test(text)) {
        return { status: 'failed', retryable: false, error: `gateway refused: ${excerpt(text, msg)}` };
      }
      const id = idPattern?.exec(text)?.[1];
      return { status: 'sent', providerMessageId: id ?? msg.reference };
    },
  };
}
