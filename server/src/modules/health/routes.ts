import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';

import type { Database } from '../../db/database.js';

const Status = Type.Object({ status: Type.String() });

export const healthRoutes: FastifyPluginAsyncTypebox<{
  database: Database;
  quiet: 'warn' | 'silent';
}> = async (app, { database, quiet }) => {
  // Load balancers poll these every few seconds: their request lines would drown the log.
  app.get(
    '/health',
    { schema: { tags: ['health'], response: { 200: Status } }, logLevel: quiet },
    async () => ({
      status: 'ok',
    }),
  );

  // Ready only when the database answers: a load balancer stops sending traffic to a node that cannot.
  app.get(
    '/ready',
    { schema: { tags: ['health'], response: { 200: Status, 503: Type.Any() } }, logLevel: quiet },
    async (request, reply) => {
      try {
        await database.ping();
        return { status: 'ready' };
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        return reply
          .status(503)
          .send({ error: { code: 'unavailable', message: 'The database does not answer.' } });
      }
    },
  );
};
