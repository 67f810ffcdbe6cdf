import type { DeliveryReceipt } from './types.js';

export interface ReceiptMap {
  idField: string;
  statusField: string;
  deliveredValues: string[];
  failedValues: string[];
  referenceField?: string;
}

/**
 * A field's value as text. Gateways nest their JSON ('data.status'), and a repeated form or query field arrives
 * as an array: the exact key wins, then the dotted path, then an array's first element.
 */
function field(body: Record<string, unknown>, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const own = (o: unknown, key: string): unknown =>
    o !== null && typeof o === 'object' && Object.hasOwn(o, key)
      ? (o as Record<string, unknown>)[key]
      : undefined;
  let v = own(body, name);
  if (v === undefined && name.includes('.')) v = name.split('.').reduce<unknown>(own, body);
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim() || undefined;
  return undefined;
}

/**
 * Reads a gateway's delivery-receipt webhook (JSON, form or query fields) into the portal's states. Null when it
 * names no message, or its status is neither delivered nor failed (an interim "accepted" or "en route").
 */
export function parseDeliveryReceipt(body: Record<string, unknown>, map: ReceiptMap): DeliveryReceipt | null {
  const id = field(body, map.idField);
  const reference = field(body, map.referenceField);
  const raw = field(body, map.statusField);
  if ((!id && !reference) || !raw) return null;
  const lower = raw.toLowerCase();
  const is = (values: string[]) => values.some((v) => v.trim().toLowerCase() === lower);
  const status = is(map.deliveredValues) ? 'delivered' : is(map.failedValues) ? 'failed' : null;
  if (!status) return null;
  return {
    providerMessageId: id,
    reference,
    status,
    error: status === 'failed' ? raw.slice(0, 100) : undefined,
  };
}
