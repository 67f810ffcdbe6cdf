export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  reference: string;
}

export interface EmailSender {
  readonly name: string;
  send(m: EmailMessage): Promise<{ status: 'sent' | 'failed'; error?: string; retryable?: boolean }>;
}
