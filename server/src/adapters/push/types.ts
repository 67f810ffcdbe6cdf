/** A device as the browser's PushSubscription describes it. */
export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushMessage {
  /** JSON the service worker reads; encrypted for the device. */
  payload: string;
  /**
   * Web Push `Topic`: a push service holding an undelivered message with the same topic replaces it, so a
   * resend after a crash does not reach the phone twice. URL-safe base64 characters, at most 32.
   */
  topic: string;
  ttlSeconds: number;
  urgency: 'normal' | 'high';
}

export type PushOutcome =
  /** The push service accepted it. */
  | { outcome: 'sent'; statusCode: number }
  /** 404 or 410: the device unsubscribed or expired; it should be removed. */
  | { outcome: 'gone'; statusCode: number; error: string }
  | { outcome: 'failed'; statusCode: number | null; error: string; retryable: boolean };

export interface PushSender {
  send(target: PushTarget, message: PushMessage): Promise<PushOutcome>;
  close(): void;
}
