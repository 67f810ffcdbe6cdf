import { defineConfig } from 'vitest/config';
import { chromiumPath } from './harness.js';

// Browser journeys in Debian's Chromium. One file at a time: each starts a portal and a browser, and the
// machine's cores are better spent on one journey than on several fighting for them.
if (!chromiumPath()) {
  console.log('\n>>> Browser tests skipped: no Chromium (apt-get install chromium, or set CHROMIUM_PATH).\n');
}

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['**/*.e2e.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
