import { createHttpGateway, type HttpSmsOptions } from './http.js';
import { createOutboxGateway } from './outbox.js';
import type { SmsGateway } from './types.js';

export function createSmsGateway(config: {
  provider: 'outbox' | 'http';
  outboxDir: string;
  http?: HttpSmsOptions;
}): SmsGateway {
  if (config.provider === 'http') {
    if (!config.http) throw new Error('SMS_PROVIDER=http needs the gateway settings');
    return createHttpGateway(config.http);
  }
  return createOutboxGateway({ dir: config.outboxDir });
}
