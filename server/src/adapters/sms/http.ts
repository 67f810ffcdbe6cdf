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

function formatNumber(e164: string, format: HttpSmsOptions['toFormat']): string {
  if (format === 'e164') return e164;
  const digits = e164.replace(/^\+/, '');
  if (format === 'national' && digits.startsWith('92')) return `0${digits.slice(2)}`;
  return digits;
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
  const successPattern = options.successPattern ? new RegExp(options.successPattern) : null;
  const idPattern = options.messageIdPattern ? new RegExp(options.messageIdPattern) : null;
  return {
    name: 'http',
    async send(msg: SmsMessage): Promise<SmsSendResult> {
      const values = { to: formatNumber(msg.to, options.toFormat), text: msg.text, reference: msg.reference };
      const url = new URL(options.url);
      if (options.queryTemplate) {
        const extra = new URLSearchParams(fillTemplate(options.queryTemplate, values, 'url'));
        for (const [k, v] of extra) url.searchParams.append(k, v);
      }
      const headers: Record<string, string> = { ...options.headers };
      let body: string | undefined;
      if (options.method === 'POST' && options.bodyTemplate) {
        if (options.contentType === 'json') {
          body = fillTemplate(options.bodyTemplate, values, 'json');
          headers['content-type'] ??= 'application/json';
        } else {
          body = fillTemplate(options.bodyTemplate, values, 'url');
          headers['content-type'] ??= 'application/x-www-form-urlencoded';
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
        const e = err as Error;
        return {
          status: 'failed',
          retryable: true,
          error: e.name === 'TimeoutError' ? 'gateway timed out' : `network: ${e.message}`,
        };
      }
      const okStatus = options.successStatus
        ? options.successStatus.includes(response.status)
        : response.status >= 200 && response.status < 300;
      if (!okStatus) {
        return {
          status: 'failed',
          retryable: response.status >= 500 || response.status === 429,
          error: `gateway answered ${response.status}: ${text.slice(0, 200)}`,
        };
      }
      if (successPattern && !successPattern.test(text)) {
        return { status: 'failed', retryable: false, error: `gateway refused: ${text.slice(0, 200)}` };
      }
      const id = idPattern?.exec(text)?.[1];
      return { status: 'sent', providerMessageId: id ?? msg.reference };
    },
  };
}
