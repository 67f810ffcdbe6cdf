import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** Paths the web app never answers for: the API and the other public surfaces keep their own 404s. */
const NOT_THE_APP = /^\/(api|open311|public|health|ready)(\/|$)/;
/** Vite names these with a content hash, so a browser may keep them for good. */
const HASHED = /^\/(console\/)?assets\//;
/** A path with an extension asks for a file; one without is a client-side route of an app. */
const FILE = /\/[^/]*\.[A-Za-z0-9]+$/;

export interface WebOptions {
  distDir: string;
  mapTileUrl: string | null;
  mapAttribution: string;
}

/**
 * Serves the built web app: the citizen app at `/` and the officers' console at `/console`, each with its
 * client-side routes falling back to its index.html. Built files are sent pre-compressed when the build
 * wrote .br/.gz copies beside them.
 */
export const webRoutes: FastifyPluginAsync<WebOptions> = async (app, options) => {
  await app.register(fastifyStatic, {
    root: options.distDir,
    serve: false,
    preCompressed: true,
    cacheControl: false,
  });

  const sendApp = (reply: FastifyReply, file: string) => {
    reply.header('cache-control', 'no-cache');
    if (!existsSync(path.join(options.distDir, file))) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built yet: run `npm run build -w web` (npm start does it).');
    }
    return reply.type('text/html; charset=utf-8').sendFile(file);
  };

  // Runtime settings the apps read when they need them (the map), so one build serves every deployment.
  app.get('/app-config.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-cache');
    return { mapTileUrl: options.mapTileUrl, mapAttribution: options.mapAttribution };
  });

  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split('?')[0]!;
    if (NOT_THE_APP.test(pathname)) return reply.callNotFound();
    if (FILE.test(pathname)) {
      if (pathname === '/index.html') return sendApp(reply, 'index.html');
      if (pathname === '/console/index.html') return sendApp(reply, 'console/index.html');
      // The service worker and the manifest must be checked for updates on every visit.
      reply.header(
        'cache-control',
        HASHED.test(pathname) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      let file: string;
      try {
        file = decodeURIComponent(pathname.slice(1));
      } catch {
        return reply.callNotFound();
      }
      return reply.sendFile(file);
    }
    if (pathname === '/console' || pathname.startsWith('/console/'))
      return sendApp(reply, 'console/index.html');
    return sendApp(reply, 'index.html');
  });
};
