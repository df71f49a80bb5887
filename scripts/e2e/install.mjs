// Installs what the end-to-end tests drive: Debian's Chromium and a real VS Code, code-server, from
// the npm registry (Microsoft's download servers are out of reach on our machines). The install is
// cached in .e2e-cache/, keyed by the code-server version and Node's major version (its native
// modules are built against Node's ABI), and each step leaves a marker so an interrupted install
// resumes at the step that did not finish. Run directly to install without testing:
//   node scripts/e2e/install.mjs
import { existsSync, mkdirSync, writeFileSync, rmSync, symlinkSync, lstatSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { step, run, cleanEnv, StepError } from './steps.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// PAGING_LAB_E2E_CACHE moves the cache, e.g. to a folder a CI system keeps between runs.
export const CACHE = process.env.PAGING_LAB_E2E_CACHE ? resolve(process.env.PAGING_LAB_E2E_CACHE) : join(ROOT, '.e2e-cache');

/** Debian packages: the browser, ripgrep for VS Code's search, a C++ toolchain and the headers of
 * VS Code's native modules. */
export const APT_PACKAGES = [
  'chromium', 'ripgrep', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev',
  'pkg-config', 'python3', 'make', 'g++',
];

const nodeMajor = process.versions.node.split('.')[0];
export const INSTALL_DIR = join(CACHE, `code-server-${CODE_SERVER_VERSION}-node${nodeMajor}`);
const LOGS = join(CACHE, 'logs');
const MARKERS = join(INSTALL_DIR, '.steps');

/** Where the code-server launcher ends up. */
export const CODE_SERVER_BIN = join(INSTALL_DIR, 'node_modules', '.bin', 'code-server');

/** The environment for code-server: its config file and logs go under .e2e-cache/, not the user's home. */
export function codeServerEnv() {
  return cleanEnv({ XDG_CONFIG_HOME: join(CACHE, 'home', 'config'), XDG_DATA_HOME: join(CACHE, 'home', 'data') });
}

export function chromiumPath() {
  return process.env.PAGING_LAB_CHROMIUM_PATH || '/usr/bin/chromium';
}

function missingAptPackages() {
  if (spawnSync('dpkg-query', ['--version']).error) return null; // not a Debian-like system
  return APT_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

/** Node's own headers, so node-gyp builds without downloading them (only the npm registry is reachable). */
function nodeGypEnv() {
  const prefix = dirname(dirname(process.execPath));
  const extra = { npm_config_yes: 'true' };
  if (existsSync(join(prefix, 'include', 'node', 'common.gypi'))) extra.npm_config_nodedir = prefix;
  return cleanEnv(extra);
}

function link(target, path) {
  mkdirSync(dirname(path), { recursive: true });
  try {
    if (lstatSync(path).isSymbolicLink() && readlinkSync(path) === target) return;
    rmSync(path, { recursive: true, force: true });
  } catch { /* absent */ }
  symlinkSync(target, path);
}

export async function ensureAptPackages() {
  await step('Debian packages (chromium, ripgrep, build headers)',
    `as root: apt-get update && apt-get install -y ${APT_PACKAGES.join(' ')}`, async () => {
      const missing = missingAptPackages();
      if (missing === null) {
        if (!existsSync(chromiumPath())) throw new Error(`not a Debian system and no Chromium at ${chromiumPath()} (set PAGING_LAB_CHROMIUM_PATH)`);
        return;
      }
      if (missing.length === 0) return;
      if (process.getuid?.() !== 0) throw new Error(`missing packages ${missing.join(', ')} and not running as root`);
      const env = cleanEnv({ DEBIAN_FRONTEND: 'noninteractive' });
      const logFile = join(LOGS, 'apt.log');
      run('apt-get', ['update'], { cwd: ROOT, env, logFile });
      run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { cwd: ROOT, env, logFile });
    });
}

export async function ensureChromium() {
  await step('Chromium starts', 'apt-get install -y chromium (or set PAGING_LAB_CHROMIUM_PATH to a Chromium binary)', async () => {
    const path = chromiumPath();
    if (!existsSync(path)) throw new Error(`no Chromium at ${path}`);
    const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`\`${path} --version\` failed: ${r.error?.message ?? r.stderr.trim()}`);
    process.stdout.write(`e2e:   ${r.stdout.trim()}\n`);
  });
}

/** The code-server install, one named step per stage of /work's recipe; resumes after a failure. */
export async function ensureCodeServer() {
  const vscodeDir = join(INSTALL_DIR, 'node_modules', 'code-server', 'lib', 'vscode');
  const logOf = (name) => join(LOGS, `${name}.log`);
  const stages = [
    ['code-server package', 'npm-code-server', 'check that the npm registry is reachable (npm view code-server version)', () => {
      mkdirSync(INSTALL_DIR, { recursive: true });
      // Its own package.json, so npm installs here and not into the project above.
      writeFileSync(join(INSTALL_DIR, 'package.json'), JSON.stringify({ name: 'paging-lab-e2e-code-server', private: true }, null, 2));
      // Scripts are skipped: code-server's postinstall refuses to run as root, and two of VS Code's
      // dependencies download binaries from GitHub; the stages below do their work instead.
      run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`],
        { cwd: INSTALL_DIR, logFile: logOf('npm-code-server') });
    }],
    ['VS Code dependencies', 'npm-vscode', 'check that the npm registry is reachable', () => {
      run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: vscodeDir, logFile: logOf('npm-vscode') });
    }],
    ['ripgrep link', 'ripgrep', 'apt-get install -y ripgrep', () => {
      const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
      if (!rg) throw new Error('`rg` is not on PATH');
      // @vscode/ripgrep's postinstall downloads from GitHub unless bin/ already exists.
      link(rg, join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'));
    }],
    ['VS Code native modules', 'rebuild-vscode', `apt-get install -y ${APT_PACKAGES.filter((p) => p !== 'chromium').join(' ')} (a C++ toolchain, Python and the -dev headers; Node's headers under <node prefix>/include/node)`, () => {
      run('npm', ['rebuild'], { cwd: vscodeDir, env: nodeGypEnv(), logFile: logOf('rebuild-vscode') });
    }],
    ['VS Code links', 'links', 'reinstall: rm -rf .e2e-cache', () => {
      link('node_modules', join(vscodeDir, 'node_modules.asar'));
      link('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
      link('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
    }],
    ['VS Code built-in extensions', 'npm-extensions', 'check that the npm registry is reachable', () => {
      run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: join(vscodeDir, 'extensions'), logFile: logOf('npm-extensions') });
    }],
    ['argon2 native module', 'rebuild-argon2', 'apt-get install -y make g++ python3', () => {
      run('npm', ['rebuild', 'argon2'], { cwd: INSTALL_DIR, env: nodeGypEnv(), logFile: logOf('rebuild-argon2') });
    }],
  ];

  let redo = false;
  for (const [name, key, hint, fn] of stages) {
    const marker = join(MARKERS, key);
    if (!redo && existsSync(marker)) continue;
    redo = true; // every stage after one that ran depends on it
    rmSync(marker, { force: true });
    await step(`code-server ${CODE_SERVER_VERSION}: ${name}`, `${hint}; log in ${logOf(key)}`, fn);
    mkdirSync(MARKERS, { recursive: true });
    writeFileSync(marker, new Date().toISOString());
  }
  if (!redo) process.stdout.write(`e2e: code-server ${CODE_SERVER_VERSION}: cached in ${INSTALL_DIR}\n`);

  await step('code-server starts', `remove ${INSTALL_DIR} and run again; logs in ${LOGS}`, () => {
    const r = spawnSync(CODE_SERVER_BIN, ['--version'], { encoding: 'utf8', timeout: 60_000, env: codeServerEnv() });
    if (r.status !== 0) throw new Error(`\`code-server --version\` failed: ${r.error?.message ?? (r.stderr || r.stdout).trim()}`);
    const version = r.stdout.split('\n').find((l) => /^\d+\.\d+\.\d+ /.test(l)) ?? r.stdout.trim();
    if (!version.startsWith(`${CODE_SERVER_VERSION} `)) throw new Error(`expected code-server ${CODE_SERVER_VERSION}, got ${version}`);
    process.stdout.write(`e2e:   code-server ${version}\n`);
  });
}

/** Everything the end-to-end tests need on the machine. */
export async function ensureInstalled() {
  await ensureAptPackages();
  await ensureChromium();
  await ensureCodeServer();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    await ensureInstalled();
    console.log(`e2e: install ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`e2e: ${err instanceof StepError ? err.message : err}`);
    process.exitCode = 1;
  }
}
