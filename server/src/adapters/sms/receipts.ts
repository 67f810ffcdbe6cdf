import type { DeliveryReceipt } from './types.js';

export interface ReceiptMap {
  idField: string;
  statusField: string;
  deliveredValues: string[];
  failedValues: string[];
  referenceField?: string;
}

/** Reads a gateway's delivery-receipt webhook (JSON, form or query fields) into the portal's states. */
export function parseDeliveryReceipt(body: Record<string, unknown>, map: ReceiptMap): DeliveryReceipt | null {
  const pick = (field: string | undefined) => {
    if (!field) return undefined;
    const v = body[field];
    return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined;
  };
  const id = pick(map.idField);
  const reference = pick(map.referenceField);
  const raw = pick(map.statusField);
  if ((!id && !reference) || !raw) return null;
  const lower = raw.toLowerCase();
  const is = (values: string[]) => values.some((v) => v.trim().toLowerCase() === lower);
  const status = is(map.deliveredValues) ? 'delivered' : is(map.failedValues) ? 'failed' : null;
  if (!status) return null;
  return {
    providerMessageId: id || undefined,
    reference: reference || undefined,
    status,
    error: status === 'failed' ? raw : undefined,
  };
}
