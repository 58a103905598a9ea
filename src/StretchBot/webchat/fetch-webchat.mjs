// Puts the official Web Chat bundle (dist/webchat.js) into wwwroot/lib at build time.
// Why not `npm ci`: the playground needs one file of one package, and a full install pulls ~425
// packages (~500 MB). `npm pack` fetches only that package's tarball; we pin its version and check
// its sha512 against the committed package-lock.json, so the result is what the lock file says.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, '..', 'wwwroot', 'lib');
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const entry = lock.packages['node_modules/botframework-webchat'];
if (!entry?.version || !entry?.integrity) throw new Error('package-lock.json has no pinned botframework-webchat');

const target = join(outDir, 'webchat.js');
const stamp = join(outDir, 'webchat.version');
if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === entry.integrity) process.exit(0);

const work = mkdtempSync(join(tmpdir(), 'webchat-'));
try {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const name = execFileSync(npm, ['pack', `botframework-webchat@${entry.version}`, '--pack-destination', work, '--silent'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  const tgz = join(work, name);
  const [algo, expected] = entry.integrity.split('-', 2);
  const actual = createHash(algo).update(readFileSync(tgz)).digest('base64');
  if (actual !== expected) throw new Error(`botframework-webchat ${entry.version}: integrity mismatch (lock ${expected}, got ${actual})`);
  execFileSync('tar', ['-xzf', tgz, '-C', work, 'package/dist/webchat.js'], { stdio: 'inherit' });
  mkdirSync(outDir, { recursive: true });
  copyFileSync(join(work, 'package', 'dist', 'webchat.js'), target);
  writeFileSync(stamp, entry.integrity + '\n');
  console.log(`Web Chat ${entry.version} -> ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
