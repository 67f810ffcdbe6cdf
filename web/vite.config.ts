import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { precompress } from './build/precompress.js';

const root = fileURLToPath(new URL('.', import.meta.url));
/** The console's own files go under console/ so the citizen app's service worker can leave them out. */
const forConsole = (ids: readonly string[]) =>
  ids.length > 0 && ids.every((id) => id.includes('/src/console/'));

export default defineConfig({
  root,
  base: '/',
  plugins: [
    preact(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/citizen',
      filename: 'sw.ts',
      injectRegister: false,
      manifestFilename: 'manifest.webmanifest',
      manifest: {
        id: '/',
        name: 'Citizen Portal',
        short_name: 'Citizen Portal',
        description: 'Report public problems and follow them until they are resolved.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#0b5d3b',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        globIgnores: ['console/**', '**/*.gz', '**/*.br'],
      },
    }),
    precompress(),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: { citizen: `${root}index.html`, console: `${root}console/index.html` },
      output: {
        entryFileNames: (chunk) =>
          chunk.name === 'console' ? 'console/assets/[name]-[hash].js' : 'assets/[name]-[hash].js',
        chunkFileNames: (chunk) =>
          forConsole(chunk.moduleIds) ? 'console/assets/[name]-[hash].js' : 'assets/[name]-[hash].js',
        assetFileNames: (asset) =>
          asset.names.some((name) => name.startsWith('console')) ||
          asset.originalFileNames.some((name) => name.includes('src/console/'))
            ? 'console/assets/[name]-[hash][extname]'
            : 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/app-config.json': 'http://localhost:3000' } },
});
