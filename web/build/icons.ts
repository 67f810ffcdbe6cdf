// Renders the app icons from icons/icon.svg: run `npm run icons -w web` after changing the SVG.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const dir = fileURLToPath(new URL('../public/icons/', import.meta.url));
const svg = readFileSync(`${dir}icon.svg`);

for (const size of [192, 512]) {
  await sharp(svg, { density: 300 }).resize(size, size).png().toFile(`${dir}icon-${size}.png`);
}
await sharp(svg, { density: 300 }).resize(180, 180).png().toFile(`${dir}apple-touch-icon.png`);
// Maskable: the launcher may cut to a circle, so the mark sits inside the middle 80 % on a full background.
await sharp({ create: { width: 512, height: 512, channels: 4, background: '#0b5d3b' } })
  .composite([
    { input: await sharp(svg, { density: 300 }).resize(400, 400).png().toBuffer(), gravity: 'centre' },
  ])
  .png()
  .toFile(`${dir}icon-maskable-512.png`);
