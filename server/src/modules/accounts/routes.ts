import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { type AuthGuards, COOKIES, citizenOf } from '../../http/auth.js';
import { Language, responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import type { LoginResult, RequestMeta } from './service.js';

const Profile = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  cnic: Type.String({ description: 'Masked: 17301-*******-3' }),
  mobile: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  districtId: Type.Integer(),
  language: Language,
  status: Type.String(),
  verifiedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

const Session = Type.Object({
  token: Type.String(),
  csrfToken: Type.String(),
  expiresAt: Type.String(),
  user: Profile,
});

const CodeIssued = Type.Object({
  channel: Type.Union([Type.Literal('sms'), Type.Literal('email')]),
  expiresAt: Type.String(),
  resendAvailableAt: Type.String(),
});

const Mobile = Type.String({ minLength: 1, maxLength: 32 });
const Code = Type.String({ minLength: 1, maxLength: 12 });
const Password = Type.String({ minLength: 1, maxLength: 128 });
const Login = Type.String({ minLength: 1, maxLength: 40, description: 'CNIC or mobile number' });
const Channel = Type.Union([Type.Literal('sms'), Type.Literal('email')], { default: 'sms' });
const Purpose = Type.Union([Type.Literal('verify'), Type.Literal('reset')], { default: 'verify' });

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** Sets the HttpOnly session cookie and the readable CSRF cookie that the web app echoes back. */
export function setSessionCookies(
  reply: FastifyReply,
  config: Readonly<Config>,
  kind: keyof typeof COOKIES,
  session: { token: string; csrfToken: string; expiresAt: string },
) {
  const secure = config.publicUrl.startsWith('https:');
  const expires = new Date(session.expiresAt);
  reply.setCookie(COOKIES[kind].session, session.token, {
    path: '/',
    httpOnly: true,
    secure,
    sameSite: 'lax',
    expires,
  });
  reply.setCookie(COOKIES[kind].csrf, session.csrfToken, {
    path: '/',
    httpOnly: false,
    secure,
    sameSite: 'lax',
    expires,
  });
}

export function clearSessionCookies(reply: FastifyReply, kind: keyof typeof COOKIES) {
  reply.clearCookie(COOKIES[kind].session, { path: '/' });
  reply.clearCookie(COOKIES[kind].csrf, { path: '/' });
}

const strict = { rateLimit: { max: 20, timeWindow: '1 minute' } };

export const accountsRoutes: FastifyPluginAsyncTypebox<{
  services: Services;
  guards: AuthGuards;
  config: Readonly<Config>;
}> = async (app, { services, guards, config }) => {
  const accounts = services.accounts;
  const withSession = (reply: FastifyReply, result: LoginResult) => {
    setSessionCookies(reply, config, 'citizen', result);
    return result;
  };

  app.post(
    '/auth/register',
    {
      config: strict,
      schema: {
        tags: ['accounts'],
        summary: 'Register a citizen; a 6-digit code is sent to the mobile by SMS',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            cnic: Type.String({ minLength: 1, maxLength: 30 }),
            mobile: Mobile,
            district: Type.Integer({ minimum: 1 }),
            email: Type.Optional(
              Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Literal(''), Type.Null()]),
            ),
            password: Password,
            language: Type.Optional(Language),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ user: Profile, verification: CodeIssued }) }),
      },
    },
    async (request, reply) => {
      const result = await accounts.register(
        { ...request.body, language: request.body.language ?? 'en' },
        requestMeta(request),
      );
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/auth/verify',
    {
      config: strict,
      schema: {
        tags: ['accounts'],
        summary: 'Verify the mobile number with the code; logs the citizen in',
        body: Type.Object({ mobile: Mobile, code: Code }, { additionalProperties: false }),
        response: responses({ 200: Session }),
      },
    },
    async (request, reply) => withSession(reply, await accounts.verify(request.body, requestMeta(request))),
  );

  app.post(
    '/auth/resend',
    {
      config: strict,
      schema: {
        tags: ['accounts'],
        summary: 'Send a new code by SMS, or by email when the SMS does not arrive',
        body: Type.Object(
          { mobile: Mobile, channel: Channel, purpose: Purpose },
          { additionalProperties: false },
        ),
        response: responses({ 200: CodeIssued }),
      },
    },
    async (request) =>
      accounts.resend(
        {
          mobile: request.body.mobile,
          channel: request.body.channel ?? 'sms',
          purpose: request.body.purpose ?? 'verify',
        },
        requestMeta(request),
      ),
  );

  app.get(
    '/auth/code-status',
    {
      config: strict,
      schema: {
        tags: ['accounts'],
        summary: 'Delivery state of the last code sent by SMS (queued, sent, delivered, failed)',
        querystring: Type.Object({ mobile: Mobile, purpose: Purpose }),
        response: responses({
          200: Type.Object({
            status: Type.String(),
            emailAvailable: Type.Boolean(),
            updatedAt: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => accounts.codeDelivery(request.query.mobile, request.query.purpose ?? 'verify'),
  );

  app.post(
    '/auth/login',
    {
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['accounts'],
        summary: 'Log in with CNIC or mobile number and password',
        body: Type.Object({ login: Login, password: Password }, { additionalProperties: false }),
        response: responses({ 200: Session }),
      },
    },
    async (request, reply) => withSession(reply, await accounts.login(request.body, requestMeta(request))),
  );

  app.post(
    '/auth/logout',
    {
      preHandler: guards.citizen,
      schema: { tags: ['accounts'], summary: 'End this session', response: responses({ 204: Type.Null() }) },
    },
    async (request, reply) => {
      await services.sessions.revoke(citizenOf(request).sessionId);
      clearSessionCookies(reply, 'citizen');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/password/forgot',
    {
      config: strict,
      schema: {
        tags: ['accounts'],
        summary: 'Send a password-reset code (the answer is the same whether or not the account exists)',
        body: Type.Object({ login: Login, channel: Channel }, { additionalProperties: false }),
        response: responses({ 202: Type.Object({ message: Type.String() }) }),
      },
    },
    async (request, reply) => {
      await accounts.forgotPassword(
        { login: request.body.login, channel: request.body.channel ?? 'sms' },
        requestMeta(request),
      );
      return reply.status(202).send({ message: 'If an account matches, a code is on its way.' });
    },
  );

  app.post(
    '/auth/password/reset',
    {
      config: strict,
      schema: {
        tags: ['accounts'],
        summary: 'Set a new password with the reset code; ends every session',
        body: Type.Object({ login: Login, code: Code, password: Password }, { additionalProperties: false }),
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await accounts.resetPassword(request.body);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['accounts'],
        summary: 'The citizen\u2019s profile',
        response: responses({ 200: Profile }),
      },
    },
    async (request) => accounts.me(citizenOf(request).id),
  );

  app.patch(
    '/me',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['accounts'],
        summary: 'Change name, email, district or language',
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            email: Type.Optional(
              Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Literal(''), Type.Null()]),
            ),
            district: Type.Optional(Type.Integer({ minimum: 1 })),
            language: Type.Optional(Language),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Profile }),
      },
    },
    async (request) => accounts.updateProfile(citizenOf(request).id, request.body),
  );

  app.get(
    '/me/cnic',
    {
      preHandler: guards.citizen,
      schema: {
        tags: ['accounts'],
        summary: 'The citizen\u2019s own CNIC in full',
        response: responses({ 200: Type.Object({ cnic: Type.String() }) }),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { cnic: await accounts.fullCnic(citizenOf(request).id) };
    },
  );

  app.post(
    '/me/password',
    {
      preHandler: guards.citizen,
      config: strict,
      schema: {
        tags: ['accounts'],
        summary: 'Change the password; other sessions end',
        body: Type.Object(
          { currentPassword: Password, newPassword: Password },
          { additionalProperties: false },
        ),
        response: responses({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const me = citizenOf(request);
      await accounts.changePassword(
        me.id,
        request.body.currentPassword,
        request.body.newPassword,
        me.sessionId,
      );
      return reply.status(204).send(null);
    },
  );
};
