// Failures in the reader's language: known error codes have their own text; field messages from the
// portal (written in English) become the field's own hint in Urdu and Pashto.
import { ApiError } from '../shared/api.js';
import { i18n, t } from './i18n.js';

export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return t('errors.unexpected');
  if (err.offline) return t('errors.network');
  // The portal's own messages are written for citizens in English (and say more, like tries left).
  if (i18n().current() === 'en' && err.status < 500) return err.message;
  return t(`errors.${err.code}`, { defaultValue: '' }) || t('errors.unexpected');
}

export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  const english = i18n().current() === 'en';
  for (const [field, message] of Object.entries(err.fields)) {
    out[field] = english ? message : t(`fieldErrors.${field}`, { defaultValue: t('fieldErrors.default') });
  }
  return out;
}
