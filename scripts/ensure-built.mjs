// Rebuilds the bundles when dist/ is missing or older than the sources, so `npm start` and
// `npm run bench` work on a fresh clone after `npm ci` without a separate build step.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const built = existsSync('dist/cli.js') ? statSync('dist/cli.js').mtimeMs : 0;
if (built === 0 || newest('src') > built || newest('samples') > built) {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
