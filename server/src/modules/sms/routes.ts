import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';

import { parseDeliveryReceipt } from '../../adapters/sms/receipts.js';
import type { Config } from '../../config.js';
import { AppError, invalid } from '../../errors.js';
import { safeEqual } from '../../security/crypto.js';
import type { Services } from '../../services.js';

/** The gateway's delivery-receipt webhook. It proves itself with the shared token in the URL or a header. */
export const smsRoutes: FastifyPluginAsyncTypebox<{ services: Services; config: Readonly<Config> }> = async (
  app,
  { services, config },
) => {
  app.post(
    '/sms/receipts',
    {
      schema: {
        tags: ['sms'],
        summary: 'Delivery receipt from the SMS gateway',
        querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }),
        body: Type.Record(Type.String(), Type.Unknown()),
        response: { 200: Type.Object({ updated: Type.Boolean() }) },
      },
    },
    async (request) => {
      const expected = config.sms.receiptToken;
      const given = request.query.token ?? String(request.headers['x-receipt-token'] ?? '');
      if (!expected || !safeEqual(given, expected)) {
        throw new AppError('forbidden', 'bad_receipt_token', 'The receipt token is missing or wrong.');
      }
      const receipt = parseDeliveryReceipt(request.body, config.sms.receiptMap);
      if (!receipt)
        throw invalid('unreadable_receipt', 'The receipt has no message id or status this portal knows.');
      return { updated: await services.sms.applyReceipt(receipt) };
    },
  );
};
