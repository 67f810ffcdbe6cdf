import type { AppDeps } from './app.js';
import { OtpService } from './modules/accounts/otp.js';
import { AccountService } from './modules/accounts/service.js';
import { EmailService } from './modules/email/service.js';
import { GeoService } from './modules/geo/service.js';
import { SessionService } from './modules/sessions/service.js';
import { SmsService } from './modules/sms/service.js';
import { StaffService } from './modules/staff/service.js';
import { ThrottleService } from './modules/throttle/service.js';

/** The composition root: each service gets exactly what it needs, and workers register their queues. */
export function createServices(deps: Omit<AppDeps, 'logger'> & { logger: AppDeps['logger'] }) {
  const { config, database, jobs, logger } = deps;
  const db = database.db;
  const secrets = config.secrets;

  const sessions = new SessionService(db, secrets.sessionKey, config.session.ttlHours);
  const throttle = new ThrottleService(db);
  const geo = new GeoService(db);
  const sms = new SmsService({ db, jobs, gateway: deps.sms, key: secrets.cnicKey, logger });
  const email = new EmailService({ jobs, sender: deps.email, key: secrets.cnicKey, logger });
  const otp = new OtpService({ db, config, sms, email });
  const accounts = new AccountService({ db, config, otp, sessions, throttle, geo, sms });
  const staff = new StaffService({ db, sessions, throttle, lookupKey: secrets.lookupKey });

  sms.registerWorkers();
  email.registerWorkers();

  return { sessions, throttle, geo, sms, email, otp, accounts, staff };
}

export type Services = ReturnType<typeof createServices>;
