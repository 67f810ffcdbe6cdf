export interface SmsMessage {
  to: string;
  text: string;
  /** The portal's own id for the message, echoed by gateways that support it. */
  reference: string;
}

export interface SmsSendResult {
  status: 'sent' | 'delivered' | 'failed';
  providerMessageId?: string;
  error?: string;
  /** A failure worth retrying (timeouts, 5xx); a 4xx is not. */
  retryable?: boolean;
}

export interface SmsGateway {
  readonly name: string;
  send(msg: SmsMessage): Promise<SmsSendResult>;
}

export interface DeliveryReceipt {
  providerMessageId?: string;
  reference?: string;
  status: 'sent' | 'delivered' | 'failed';
  error?: string;
}
