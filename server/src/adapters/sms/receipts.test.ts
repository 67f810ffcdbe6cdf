import { describe, expect, it } from 'vitest';

import { parseDeliveryReceipt, type ReceiptMap } from './receipts.js';

const map: ReceiptMap = {
  idField: 'id',
  statusField: 'status',
  deliveredValues: ['delivered', 'DELIVRD'],
  failedValues: ['failed', 'UNDELIV', 'REJECTD', 'EXPIRED'],
};

describe('parseDeliveryReceipt', () => {
  it('reads delivered and failed, whatever the case', () => {
    expect(parseDeliveryReceipt({ id: 'gw-1', status: 'DELIVRD' }, map)).toEqual({
      providerMessageId: 'gw-1',
      reference: undefined,
      status: 'delivered',
      error: undefined,
    });
    expect(parseDeliveryReceipt({ id: 'gw-1', status: 'Delivered ' }, map)?.status).toBe('delivered');
    expect(parseDeliveryReceipt({ id: 'gw-2', status: 'undeliv' }, map)).toEqual({
      providerMessageId: 'gw-2',
      reference: undefined,
      status: 'failed',
      error: 'undeliv',
    });
  });

  it('reads numeric ids and statuses, as form-less JSON gateways send them', () => {
    const numeric: ReceiptMap = { ...map, deliveredValues: ['1'], failedValues: ['2', '16'] };
    expect(parseDeliveryReceipt({ id: 778899, status: 1 }, numeric)).toMatchObject({
      providerMessageId: '778899',
      status: 'delivered',
    });
    expect(parseDeliveryReceipt({ id: 778899, status: 16 }, numeric)?.status).toBe('failed');
  });

  it('finds the message by our reference when the gateway echoes it', () => {
    const withRef: ReceiptMap = { ...map, referenceField: 'client_ref' };
    expect(parseDeliveryReceipt({ client_ref: 'ref-1', status: 'delivered' }, withRef)).toMatchObject({
      providerMessageId: undefined,
      reference: 'ref-1',
      status: 'delivered',
    });
    expect(
      parseDeliveryReceipt({ id: 'gw-3', client_ref: 'ref-3', status: 'failed' }, withRef),
    ).toMatchObject({
      providerMessageId: 'gw-3',
      reference: 'ref-3',
    });
  });

  it('reads nested JSON fields and repeated form fields', () => {
    const nested: ReceiptMap = { ...map, idField: 'data.message_id', statusField: 'data.dlr.status' };
    expect(
      parseDeliveryReceipt({ data: { message_id: 'gw-9', dlr: { status: 'DELIVRD' } } }, nested),
    ).toMatchObject({ providerMessageId: 'gw-9', status: 'delivered' });
    // A flat key that holds a dot wins over the path.
    expect(
      parseDeliveryReceipt({ 'data.message_id': 'flat', 'data.dlr.status': 'failed' }, nested),
    ).toMatchObject({ providerMessageId: 'flat', status: 'failed' });
    expect(parseDeliveryReceipt({ id: ['gw-4', 'gw-5'], status: ['delivered'] }, map)).toMatchObject({
      providerMessageId: 'gw-4',
      status: 'delivered',
    });
  });

  it('answers null for a receipt that names no message or no known final state', () => {
    expect(parseDeliveryReceipt({ status: 'delivered' }, map)).toBeNull();
    expect(parseDeliveryReceipt({ id: '', status: 'delivered' }, map)).toBeNull();
    expect(parseDeliveryReceipt({ id: 'gw-1' }, map)).toBeNull();
    expect(parseDeliveryReceipt({ id: 'gw-1', status: 'ENROUTE' }, map)).toBeNull();
    expect(parseDeliveryReceipt({ id: 'gw-1', status: '' }, map)).toBeNull();
    expect(parseDeliveryReceipt({ id: { $ne: null }, status: 'delivered' }, map)).toBeNull();
    expect(parseDeliveryReceipt({ id: 'gw-1', status: true }, map)).toBeNull();
  });

  it('does not read inherited properties', () => {
    const proto: ReceiptMap = { ...map, idField: 'constructor', statusField: '__proto__.status' };
    expect(parseDeliveryReceipt(JSON.parse('{"status":"delivered"}'), proto)).toBeNull();
    const polluted = JSON.parse('{"id":"gw-1","__proto__":{"status":"delivered"}}');
    expect(parseDeliveryReceipt(polluted, { ...map, statusField: 'toString' })).toBeNull();
  });
});
