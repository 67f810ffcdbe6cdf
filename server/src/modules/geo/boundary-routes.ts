import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { invalid } from '../../errors.js';
import { type AuthGuards, staffOf } from '../../http/auth.js';
import { responses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { featuresWhere, mappingFrom, parseBoundaryFile } from './boundaries.js';

/** A province's district file is a few megabytes; a detailed national one can be tens. */
export const MAX_BOUNDARY_FILE_BYTES = 64 * 1024 * 1024;

const ImportReport = Type.Object({
  source: Type.String(),
  features: Type.Integer(),
  matched: Type.Array(Type.Object({ featureName: Type.String(), districtCode: Type.String() })),
  unmatched: Type.Array(Type.String()),
  districtsWithBoundary: Type.Integer(),
  imported: Type.Boolean(),
});

const Query = Type.Object(
  {
    nameProperty: Type.String({ minLength: 1, maxLength: 100, default: 'name' }),
    where: Type.Optional(
      Type.String({
        maxLength: 300,
        pattern: '^[^=]+=.*$',
        description: 'keep only features whose property equals a value: province=Khyber Pakhtunkhwa',
      }),
    ),
    map: Type.Optional(
      Type.Array(
        Type.String({
          maxLength: 300,
          pattern: '^[^=]+=[a-z0-9][a-z0-9-]*$',
          description: 'File name=district-code',
        }),
        { maxItems: 300 },
      ),
    ),
    dryRun: Type.Boolean({ default: false, description: 'match the names only; change nothing' }),
    source: Type.String({ minLength: 1, maxLength: 200, default: 'upload.geojson' }),
  },
  { additionalProperties: false },
);

/**
 * District boundaries from the console: the GeoJSON file is the body (application/geo+json or
 * application/json), the options are in the query, as for `portal boundaries import`. A dry run shows which
 * names match so the admin can map the rest before anything is replaced.
 */
export const boundaryRoutes: FastifyPluginAsyncTypebox<{ services: Services; guards: AuthGuards }> = async (
  app,
  { services, guards },
) => {
  // Kept as text: the boundary parser names the first bad feature, which a generic JSON error would not.
  app.addContentTypeParser(
    'application/geo+json',
    { parseAs: 'string', bodyLimit: MAX_BOUNDARY_FILE_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/staff/boundaries/import',
    {
      preHandler: guards.staffWith(['admin']),
      bodyLimit: MAX_BOUNDARY_FILE_BYTES,
      schema: {
        tags: ['reference'],
        summary: 'Import district boundaries from a GeoJSON FeatureCollection (admins)',
        querystring: Query,
        response: responses({ 200: ImportReport }),
      },
    },
    async (request) => {
      const { nameProperty, where, map, dryRun, source } = request.query;
      if (request.body === undefined || request.body === null || request.body === '') {
        throw invalid('malformed_body', 'Send the GeoJSON file as the request body.');
      }
      const features = featuresWhere(parseBoundaryFile(request.body, nameProperty), where);
      const mapping = mappingFrom(map ?? []);
      return services.geo.importBoundaries(features, {
        source,
        mapping,
        dryRun,
        by: { type: 'staff', id: staffOf(request).id },
      });
    },
  );
};
