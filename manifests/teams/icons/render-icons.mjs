// Render the Teams app icons from their SVG sources into the PNGs beside manifest.json.
//
//   node manifests/teams/icons/render-icons.mjs [--preview <dir>]
//
//   color.svg   -> ../color.png    192x192, fully opaque
//   outline.svg -> ../outline.png  32x32, white on transparent: every pixel's RGB is forced to #FFFFFF and
//                                  only the alpha channel carries the shape and its anti-aliasing
//
// With --preview, also writes enlarged copies (the outline on a Teams-like dark tile) to <dir> for a human to
// look at. Uses headless Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through playwright-core from
// tests/js/node_modules: run `cd tests/js && npm ci --ignore-scripts` first. Nothing is fetched.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const teamsDir = join(here, '..');
const jsDir = join(here, '..', '..', '..', 'tests', 'js');

let chromium;
try {
  ({ chromium } = createRequire(join(jsDir, 'package.json'))('playwright-core'));
} catch {
  console.error('render-icons: playwright-core is missing. Install it once with: cd tests/js && npm ci --ignore-scripts');
  process.exit(2);
}

const args = process.argv.slice(2);
const previewIndex = args.indexOf('--preview');
const previewDir = previewIndex >= 0 ? args[previewIndex + 1] : null;

const icons = [
  { source: 'color.svg', target: 'color.png', size: 192, kind: 'color' },
  { source: 'outline.svg', target: 'outline.png', size: 32, kind: 'outline' },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
});
try {
  const page = await browser.newPage();
  for (const icon of icons) {
    const svg = readFileSync(join(here, icon.source), 'utf8');
    const result = await page.evaluate(async ({ svg, size, kind, previewScale }) => {
      const image = new Image();
      image.src = 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(svg)));
      await image.decode();

      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = size;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(image, 0, 0, size, size);
      const data = ctx.getImageData(0, 0, size, size);
      const px = data.data;
      for (let i = 0; i < px.length; i += 4) {
        if (kind === 'outline') {
          // Teams wants white only: the shape lives in alpha alone.
          px[i] = px[i + 1] = px[i + 2] = px[i + 3] === 0 ? 0 : 255;
        } else {
          px[i + 3] = 255;
        }
      }
      ctx.putImageData(data, 0, 0);
      const png = canvas.toDataURL('image/png').split(',')[1];

      // An enlarged copy, pixels kept sharp; the outline icon sits on a dark tile as in the Teams app bar.
      const big = document.createElement('canvas');
      big.width = big.height = size * previewScale;
      const bctx = big.getContext('2d');
      if (kind === 'outline') {
        bctx.fillStyle = '#292929';
        bctx.fillRect(0, 0, big.width, big.height);
      }
      bctx.imageSmoothingEnabled = false;
      bctx.drawImage(canvas, 0, 0, big.width, big.height);
      const preview = big.toDataURL('image/png').split(',')[1];
      return { png, preview };
    }, { svg, size: icon.size, kind: icon.kind, previewScale: icon.size >= 128 ? 2 : 12 });

    const target = join(teamsDir, icon.target);
    writeFileSync(target, Buffer.from(result.png, 'base64'));
    console.log(`wrote ${target} (${icon.size}x${icon.size})`);
    if (previewDir) {
      mkdirSync(previewDir, { recursive: true });
      const previewPath = join(previewDir, icon.target.replace('.png', '-preview.png'));
      writeFileSync(previewPath, Buffer.from(result.preview, 'base64'));
      console.log(`wrote ${previewPath}`);
    }
  }
} finally {
  await browser.close();
}
