import { describe, expect, it } from 'vitest';

import { createEmailSender } from './index.js';
import { createSmtpSender, withTimeouts } from './smtp.js';

// Constructing a transport opens no connection; nothing here touches the network.
describe('the SMTP sender', () => {
  it('is built from an SMTP URL', () => {
    const sender = createSmtpSender({
      url: 'smtp://user:secret@127.0.0.1:2525',
      from: 'Portal <no-reply@example.pk>',
    });
    expect(sender.name).toBe('smtp');
    expect(typeof sender.send).toBe('function');
    const picked = createEmailSender({
      provider: 'smtp',
      outboxDir: '/nonexistent',
      smtp: { url: 'smtps://user:secret@127.0.0.1:465', from: 'no-reply@example.pk' },
    });
    expect(picked.name).toBe('smtp');
  });

  it('adds timeouts to the URL, keeping the credentials as written and options already set', () => {
    expect(withTimeouts('smtp://u:p%40ss@host:587')).toBe(
      'smtp://u:p%40ss@host:587?connectionTimeout=10000&greetingTimeout=10000&socketTimeout=30000',
    );
    expect(withTimeouts('smtp://host?pool=true&socketTimeout=5000')).toBe(
      'smtp://host?pool=true&socketTimeout=5000&connectionTimeout=10000&greetingTimeout=10000',
    );
    const all = 'smtp://host?connectionTimeout=1&greetingTimeout=2&socketTimeout=3';
    expect(withTimeouts(all)).toBe(all);
  });
});
