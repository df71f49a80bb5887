// The extension manifest against what the build produces and what VS Code needs: the contributed
// language, grammar, debugger and breakpoints point at real files, activation covers them, the
// engine matches the VS Code API typings, and every program the manifest names is a bundle that
// scripts/build.mjs writes and that exists after the build.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, distFile } from '../setup';

interface Manifest {
  main: string;
  scripts: Record<string, string>;
  bin: Record<string, string>;
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  activationEvents: string[];
  contributes: {
    languages: { id: string; extensions: string[]; aliases: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    breakpoints: { language: string }[];
    commands: { command: string; title: string; category?: string }[];
    debuggers: {
      type: string;
      languages: string[];
      program: string;
      initialConfigurations: { type: string; request: string }[];
      configurationSnippets: { body: { type: string; request: string } }[];
    }[];
  };
}

const pkg: Manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const rel = (p: string) => p.replace(/^\.\//, '');

/** [entry, output] pairs of the node programs in scripts/build.mjs. */
function buildEntries(): [string, string][] {
  const src = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
  return [...src.matchAll(/\[\s*'([^']+\.ts)',\s*'(dist\/[^']+\.js)'\s*\]/g)].map((m) => [m[1], m[2]]);
}

describe('extension manifest (package.json)', () => {
  const pgasm = pkg.contributes.languages.find((l) => l.id === 'pgasm');

  it('contributes the pgasm language for .pgasm files with `;` comments and brackets', () => {
    assert.ok(pgasm, 'a language with id pgasm');
    assert.deepEqual(pgasm.extensions, ['.pgasm']);
    assert.ok(pgasm.aliases.length > 0, 'a display name for the status bar');
    const configPath = join(ROOT, rel(pgasm.configuration));
    assert.ok(existsSync(configPath), `${pgasm.configuration} exists`);
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    assert.equal(config.comments?.lineComment, ';');
    assert.ok(Array.isArray(config.brackets) && config.brackets.length > 0, 'brackets are configured');
  });

  it('contributes a TextMate grammar for pgasm whose file exists and declares the same scope', () => {
    const grammar = pkg.contributes.grammars.find((g) => g.language === 'pgasm');
    assert.ok(grammar, 'a grammar for pgasm');
    const path = join(ROOT, rel(grammar.path));
    assert.ok(existsSync(path), `${grammar.path} exists`);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).scopeName, grammar.scopeName);
  });

  it('contributes the wddm debugger for pgasm, with initial configurations and snippets of its type', () => {
    const dbg = pkg.contributes.debuggers.find((d) => d.type === 'wddm');
    assert.ok(dbg, 'a debugger of type wddm');
    assert.ok(dbg.languages.includes('pgasm'), 'debuggers[].languages lists pgasm');
    assert.ok(dbg.initialConfigurations.length > 0);
    for (const c of dbg.initialConfigurations) assert.deepEqual([c.type, c.request], ['wddm', 'launch']);
    assert.ok(dbg.configurationSnippets.length > 0);
    for (const s of dbg.configurationSnippets) assert.deepEqual([s.body.type, s.body.request], ['wddm', 'launch']);
  });

  it('allows breakpoints in TypeScript drivers and pgasm programs', () => {
    const langs = pkg.contributes.breakpoints.map((b) => b.language);
    assert.ok(langs.includes('typescript'));
    assert.ok(langs.includes('pgasm'));
  });

  it('activates on the debugger type, the language and every contributed command, which the extension registers', () => {
    const events = new Set(pkg.activationEvents);
    assert.ok(events.has('onDebugResolve:wddm'), 'onDebugResolve:wddm');
    assert.ok(events.has('onLanguage:pgasm'), 'onLanguage:pgasm');
    // Since VS Code 1.74 a contributed command activates its extension without an onCommand event.
    const [major, minor] = pkg.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    const implicit = major > 1 || (major === 1 && minor >= 74);
    const bundle = readFileSync(distFile('extension.js'), 'utf8');
    for (const c of pkg.contributes.commands) {
      assert.ok(implicit || events.has(`onCommand:${c.command}`), `onCommand:${c.command}`);
      // A command the bundle never names would be "command not found" when the user picks it.
      assert.ok(bundle.includes(`"${c.command}"`), `dist/extension.js registers ${c.command}`);
    }
  });

  it('targets the VS Code whose API typings it compiles against (1.100, what the e2e tests run)', () => {
    const engine = /^\^?(\d+)\.(\d+)\./.exec(pkg.engines.vscode);
    assert.ok(engine, `engines.vscode is a version range: ${pkg.engines.vscode}`);
    const typesDeclared = pkg.devDependencies['@types/vscode'];
    assert.match(typesDeclared, /^\d+\.\d+\.\d+$/, '@types/vscode is pinned to an exact version');
    const typesInstalled: string = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8')).version;
    for (const v of [typesDeclared, typesInstalled]) {
      const [major, minor] = v.split('.');
      assert.deepEqual([major, minor], [engine[1], engine[2]], `@types/vscode ${v} matches engines.vscode ${pkg.engines.vscode}`);
    }
    assert.deepEqual([engine[1], engine[2]], ['1', '100']);
  });

  it('names only programs that the build writes, from sources that exist', () => {
    const entries = buildEntries();
    const outputs = new Map(entries.map(([entry, out]) => [out, entry]));
    const named = [rel(pkg.main), ...Object.values(pkg.bin).map(rel), ...pkg.contributes.debuggers.map((d) => rel(d.program))];
    for (const program of named) {
      const entry = outputs.get(program);
      assert.ok(entry, `${program} is an output of scripts/build.mjs (outputs: ${[...outputs.keys()].join(', ')})`);
      assert.ok(existsSync(join(ROOT, entry)), `${program} is built from ${entry}, which exists`);
    }
  });

  it('has every bundle of the build in dist/', () => {
    const built = buildEntries().filter(([entry]) => existsSync(join(ROOT, entry)));
    assert.ok(built.length >= 2, 'the extension and the CLI at least');
    for (const [, out] of built) {
      const file = distFile(out.replace(/^dist\//, ''));
      assert.ok(readFileSync(file).length > 0, `${out} is not empty`);
    }
  });

  it('packages the programs, grammar, language configuration, README and LICENSE, and no sources', function () {
    this.timeout(60_000);
    const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const listed = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n').map((l) => l.trim()).filter(Boolean);
    const files = new Set(listed);
    const needed = [
      rel(pkg.main),
      ...pkg.contributes.debuggers.map((d) => rel(d.program)),
      ...pkg.contributes.grammars.map((g) => rel(g.path)),
      ...pkg.contributes.languages.map((l) => rel(l.configuration)),
      'README.md',
      'LICENSE',
      'package.json',
    ];
    for (const f of needed) assert.ok(files.has(f), `the .vsix holds ${f}`);
    const leaked = listed.filter((f) => /^(src|test|scripts|node_modules|\.e2e-cache|test-results|bench)\//.test(f) || f.endsWith('.vsix'));
    assert.deepEqual(leaked, [], 'no sources, tests, caches or packages in the .vsix');
  });

  it('packages into a .vsix with the options of `npm run package`', function () {
    this.timeout(120_000);
    // vsce refuses what the Marketplace would (README links it cannot resolve, a missing LICENSE...).
    const script = /vsce package (.*)$/.exec(pkg.scripts.package);
    assert.ok(script, `the package script runs vsce package: ${pkg.scripts.package}`);
    const options = script[1].replace(/--out \S+/, '').split(/\s+/).filter(Boolean);
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-vsix-'));
    try {
      const out = join(dir, 'paging-lab.vsix');
      const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
      const r = spawnSync(process.execPath, [vsce, 'package', ...options, '--out', out], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, `vsce package failed:\n${r.stdout}\n${r.stderr}`);
      assert.ok(statSync(out).size > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
