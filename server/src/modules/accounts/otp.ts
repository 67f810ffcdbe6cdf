import type { Config } from '../../config.js';
import type { Db, DbOrTrx } from '../../db/database.js';
import type { Language, OtpChannel, OtpPurpose } from '../../db/schema.js';
import { invalid, rateLimited } from '../../errors.js';
import { lookupHash, randomDigits, safeEqual } from '../../security/crypto.js';
import type { EmailService } from '../email/service.js';
import type { SmsService } from '../sms/service.js';
import { passwordResetCodeText, verificationCodeText, verificationEmail } from './messages.js';
import {
  consumeOtp,
  countOtpAttempt,
  countOtpSendsFromIp,
  insertOtp,
  insertOtpSend,
  latestOtp,
  otpSendsSince,
} from './repo.js';

export interface OtpRecipient {
  id: number;
  mobile: string;
  email: string | null;
  language: Language;
}

export interface OtpIssued {
  channel: OtpChannel;
  expiresAt: string;
  /** When the next code may be asked for: the app shows a countdown to it. */
  resendAvailableAt: string;
}

const DAY = 24 * 3600_000;

/**
 * One-time codes for proving a mobile number and for password resets. Codes are stored only as a keyed
 * hash, expire, allow a few wrong tries, and are sent through the job queue. Resends wait a growing
 * cooldown and are capped per number and per IP, because every SMS costs money and SMS pumping is real.
 * When SMS does not arrive, the same code flow works by email.
 */
export class OtpService {
  constructor(
    private readonly deps: {
      db: Db;
      config: Readonly<Config>;
      sms: SmsService;
      email: EmailService;
    },
  ) {}

  private hash(citizenId: number, purpose: OtpPurpose, code: string) {
    return lookupHash(this.deps.config.secrets.lookupKey, `otp:${citizenId}:${purpose}`, code);
  }

  /** Throws 429 with the wait when another code may not be sent yet. */
  async assertMaySend(recipient: OtpRecipient, purpose: OtpPurpose, channel: OtpChannel, ip: string) {
    const { otp } = this.deps.config;
    const now = Date.now();
    const sends = await otpSendsSince(
      this.deps.db,
      recipient.mobile,
      purpose,
      new Date(now - DAY).toISOString(),
    );
    if (sends.length > 0) {
      const wait = otp.cooldownsSeconds[Math.min(sends.length - 1, otp.cooldownsSeconds.length - 1)] ?? 60;
      const next = Date.parse(sends[sends.length - 1]!.created_at) + wait * 1000;
      if (next > now) {
        throw rateLimited(
          'resend_cooldown',
          `Please wait ${Math.ceil((next - now) / 1000)} seconds before asking for another code.`,
          (next - now) / 1000,
        );
      }
    }
    const sameChannel = sends.filter((s) => s.channel === channel).length;
    if (sameChannel >= otp.maxPerNumberPerDay) {
      throw rateLimited(
        'daily_limit',
        channel === 'sms' && recipient.email
          ? 'Too many codes were sent to this number today. Ask for the code by email instead, or try again tomorrow.'
          : 'Too many codes were sent to this number today. Please try again tomorrow.',
        DAY / 1000,
      );
    }
    const fromIp = await countOtpSendsFromIp(this.deps.db, ip, new Date(now - 3600_000).toISOString());
    if (fromIp >= otp.maxPerIpPerHour) {
      throw rateLimited(
        'ip_limit',
        'Too many codes were requested from this network. Please try again later.',
        3600,
      );
    }
  }

  /** Creates a new code and queues it, inside the caller's transaction. */
  async issue(
    db: DbOrTrx,
    recipient: OtpRecipient,
    purpose: OtpPurpose,
    channel: OtpChannel,
    ip: string,
  ): Promise<OtpIssued> {
    const { otp } = this.deps.config;
    if (channel === 'email' && !recipient.email) {
      throw invalid('no_email', 'This account has no email address, so the code can only go by SMS.', {
        channel: 'No email address on this account.',
      });
    }
    const code = randomDigits(6);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + otp.ttlSeconds * 1000).toISOString();
    await insertOtp(db, {
      citizen_id: recipient.id,
      purpose,
      code_hash: this.hash(recipient.id, purpose, code),
      expires_at: expiresAt,
      now: now.toISOString(),
    });
    await insertOtpSend(db, {
      citizen_id: recipient.id,
      mobile: recipient.mobile,
      purpose,
      channel,
      ip,
      now: now.toISOString(),
    });
    const minutes = Math.round(otp.ttlSeconds / 60);
    if (channel === 'sms') {
      const text =
        purpose === 'verify'
          ? verificationCodeText(recipient.language, code, minutes)
          : passwordResetCodeText(recipient.language, code, minutes);
      await this.deps.sms.queue(db, { to: recipient.mobile, text, purpose: `otp.${purpose}` });
    } else {
      const mail = verificationEmail(recipient.language, code, minutes);
      await this.deps.email.queue(db, { to: recipient.email!, subject: mail.subject, text: mail.text });
    }
    const firstWait = otp.cooldownsSeconds[0] ?? 60;
    return {
      channel,
      expiresAt,
      resendAvailableAt: new Date(now.getTime() + firstWait * 1000).toISOString(),
    };
  }

  /** Checks a code; on success it is used up and cannot be replayed. */
  async check(citizenId: number, purpose: OtpPurpose, code: string): Promise<void> {
    const { db, config } = this.deps;
    const otp = await latestOtp(db, citizenId, purpose);
    if (!otp) throw invalid('no_code', 'No code was sent for this. Ask for a new code.');
    if (otp.consumed_at)
      throw invalid('code_used', 'This code was already used or replaced. Ask for a new code.');
    if (Date.parse(otp.expires_at) <= Date.now()) {
      throw invalid('code_expired', 'This code has expired. Ask for a new code.');
    }
    const attempts = await countOtpAttempt(db, otp.id);
    if (attempts > config.otp.maxAttempts) {
      throw invalid('too_many_attempts', 'Too many wrong codes. Ask for a new code.');
    }
    if (!safeEqual(otp.code_hash, this.hash(citizenId, purpose, code))) {
      const left = config.otp.maxAttempts - attempts;
      throw invalid(
        left > 0 ? 'wrong_code' : 'too_many_attempts',
        left > 0
          ? `The code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`
          : 'Too many wrong codes. Ask for a new code.',
        { code: 'Wrong code.' },
      );
    }
    if (!(await consumeOtp(db, otp.id, new Date().toISOString()))) {
      throw invalid('code_used', 'This code was already used. Ask for a new code.');
    }
  }
}
