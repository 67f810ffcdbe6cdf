import http from 'node:http';
import https from 'node:https';
import webpush from 'web-push';
import { createEncryptor, type Encryptor, MAX_PAYLOAD_BYTES } from './encrypt.js';
import type { PushMessage, PushOutcome, PushSender, PushTarget } from './types.js';
import type { VapidKeys } from './vapid.js';

export interface WebPushSenderOptions {
  keys: VapidKeys;
  /** mailto: or https: contact the push service may use. */
  subject: string;
  /** Open connections per push service; match it to the sends in flight. */
  maxSockets?: number;
  timeoutMs?: number;
  /** Worker threads that encrypt payloads; 0 encrypts on the event loop. */
  encryptThreads?: number;
}

/** A signed VAPID token lives 12 hours and is renewed an hour before it ends (the limit is 24 hours). */
const TOKEN_SECONDS = 12 * 3600;
const RENEW_BEFORE_SECONDS = 3600;
const MAX_ERROR_BODY = 500;
const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Web Push with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291). The payload is encrypted per device, as
 * it must be; the ES256 token depends only on the push service's origin, so it is signed once per origin and
 * reused rather than once per request (web-push's sendNotification signs every time); connections are kept
 * alive per push service.
 */
export class WebPushSender implements PushSender {
  private readonly tokens = new Map<string, { header: string; renewAt: number }>();
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly timeoutMs: number;
  private readonly encryptor: Encryptor;

  constructor(private readonly opts: WebPushSenderOptions) {
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, scheduling: 'lifo' as const };
    this.httpAgent = new http.Agent(agentOpts);
    this.httpsAgent = new https.Agent(agentOpts);
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.encryptor = createEncryptor(opts.encryptThreads ?? 0);
  }

  private authorization(origin: string): string {
    const now = Math.floor(Date.now() / 1000);
    const cached = this.tokens.get(origin);
    if (cached && cached.renewAt > now) return cached.header;
    const expiration = now + TOKEN_SECONDS;
    const { Authorization } = webpush.getVapidHeaders(
      origin,
      this.opts.subject,
      this.opts.keys.publicKey,
      this.opts.keys.privateKey,
      'aes128gcm',
      expiration,
    );
    this.tokens.set(origin, { header: Authorization, renewAt: expiration - RENEW_BEFORE_SECONDS });
    return Authorization;
  }

  async send(target: PushTarget, message: PushMessage): Promise<PushOutcome> {
    let url: URL;
    let body: Buffer;
    try {
      url = new URL(target.endpoint);
      const deviceKey = Buffer.from(target.p256dh, 'base64url');
      const authSecret = Buffer.from(target.auth, 'base64url');
      if (deviceKey.length !== 65 || authSecret.length !== 16) throw new Error('malformed subscription keys');
      if (!TOPIC.test(message.topic)) throw new Error('a topic is 1 to 32 URL-safe base64 characters');
      const plaintext = Buffer.from(message.payload, 'utf8');
      if (plaintext.length > MAX_PAYLOAD_BYTES)
        throw new Error(`push payload over ${MAX_PAYLOAD_BYTES} bytes`);
      body = await this.encryptor.encrypt(deviceKey, authSecret, plaintext);
    } catch (err) {
      // A malformed subscription or message never gets better by retrying.
      return { outcome: 'failed', statusCode: null, error: (err as Error).message, retryable: false };
    }
    const headers = {
      TTL: String(message.ttlSeconds),
      Urgency: message.urgency,
      Topic: message.topic,
      'Content-Encoding': 'aes128gcm',
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(body.length),
      Authorization: this.authorization(url.origin),
    };
    const isHttps = url.protocol === 'https:';
    return new Promise<PushOutcome>((resolve) => {
      const req = (isHttps ? https : http).request(
        url,
        {
          method: 'POST',
          headers,
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < MAX_ERROR_BODY) text += chunk;
          });
          res.on('error', (err) =>
            resolve({ outcome: 'failed', statusCode: status, error: err.message, retryable: true }),
          );
          res.on('end', () => {
            const error = `${status} ${text.slice(0, MAX_ERROR_BODY)}`.trim();
            if (status >= 200 && status < 300) resolve({ outcome: 'sent', statusCode: status });
            else if (status === 404 || status === 410)
              resolve({ outcome: 'gone', statusCode: status, error });
            else
              resolve({
                outcome: 'failed',
                statusCode: status,
                error,
                // 429 and 5xx pass; other 4xx (bad token, payload too large) would fail again the same way.
                retryable: status === 429 || status >= 500,
              });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) =>
        resolve({ outcome: 'failed', statusCode: null, error: err.message, retryable: true }),
      );
      req.end(body);
    });
  }

  close(): void {
    this.encryptor.close();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
