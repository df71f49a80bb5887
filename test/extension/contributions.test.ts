// package.json's contributed commands, views and settings against the extension's sources: each
// contribution has a registration (or reader) in src/extension, and each registration is contributed.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../setup';
import { PGASM_CONFIGURATION, SCENARIO_FILE } from '../../src/extension/scaffold';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const dir = join(ROOT, 'src', 'extension');
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));
const all = sources.map((s) => s.text).join('\n');

/** `export const NAME = 'value'` across the sources, so registrations through constants resolve. */
const constants = new Map<string, string>();
for (const m of all.matchAll(/(?:export\s+)?const\s+([A-Z_][A-Z0-9_]*)\s*=\s*'([^']+)'/g)) constants.set(m[1], m[2]);

function resolveArg(arg: string): string {
  const lit = /^'([^']+)'$/.exec(arg);
  if (lit) return lit[1];
  const c = constants.get(arg);
  if (!c) throw new Error(`cannot resolve ${arg} to a string constant in src/extension`);
  return c;
}

function registered(fn: RegExp): Set<string> {
  const out = new Set<string>();
  for (const m of all.matchAll(fn)) out.add(resolveArg(m[1]));
  return out;
}

const commandIds = registered(/registerCommand\(\s*('[^']+'|[A-Z_][A-Z0-9_]*)/g);
const viewIds = new Set([
  ...registered(/register(?:TreeDataProvider|WebviewViewProvider)\(\s*('[^']+'|[A-Z_][A-Z0-9_]*)/g),
  ...registered(/createTreeView\(\s*('[^']+'|[A-Z_][A-Z0-9_]*)/g),
]);
// Trees registered in a loop over [id, provider] pairs.
for (const m of all.matchAll(/\[\s*(VIEW_[A-Z_]+)\s*,\s*new\s+\w+/g)) if (/registerTreeDataProvider\(id/.test(all)) viewIds.add(resolveArg(m[1]));

const section = constants.get('SECTION');
const settingKeys = new Set<string>();
for (const s of sources) {
  if (!/getConfiguration\(\s*SECTION|getConfiguration\(\s*'pagingLab'/.test(s.text)) continue;
  for (const m of s.text.matchAll(/\.get(?:<[^>]+>)?\(\s*'([^']+)'/g)) settingKeys.add(`${section}.${m[1]}`);
}

describe('extension contributions and registrations agree', () => {
  const contributedCommands: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  const contributedViews: string[] = Object.values(pkg.contributes.views ?? {}).flatMap((list) => (list as { id: string }[]).map((v) => v.id));
  const contributedSettings = Object.keys(pkg.contributes.configuration?.properties ?? {});

  it('finds the registrations it checks (the scan itself works)', () => {
    assert.ok(commandIds.has('pagingLab.openVramView'), [...commandIds].join(', '));
    assert.ok(viewIds.has('pagingLab.segments') && viewIds.has('pagingLab.occupancy'), [...viewIds].join(', '));
    assert.equal(section, 'pagingLab');
    assert.ok(settingKeys.has('pagingLab.vramView.bytesPerRow'));
  });

  it('registers every contributed command, and contributes every registered one', () => {
    for (const id of contributedCommands) assert.ok(commandIds.has(id), `${id} is contributed but never registered`);
    for (const id of commandIds) assert.ok(contributedCommands.includes(id), `${id} is registered but not in contributes.commands`);
    for (const c of pkg.contributes.commands.filter((c: { command: string }) => c.command.startsWith('pagingLab.'))) {
      assert.equal(c.category, 'Paging Lab', `${c.command} has category "Paging Lab"`);
    }
  });

  it('provides every contributed view, and contributes every provided one', () => {
    for (const id of contributedViews) assert.ok(viewIds.has(id), `view ${id} is contributed but has no provider`);
    for (const id of viewIds) assert.ok(contributedViews.includes(id), `view ${id} has a provider but is not contributed`);
    const debugViews = (pkg.contributes.views.debug as { id: string; type?: string }[]).map((v) => v.id);
    for (const id of ['pagingLab.segments', 'pagingLab.allocations', 'pagingLab.pagingQueue', 'pagingLab.fences', 'pagingLab.occupancy']) {
      assert.ok(debugViews.includes(id), `${id} is in the Run and Debug side bar`);
    }
  });

  it('reads every contributed setting, and contributes every setting read', () => {
    for (const key of contributedSettings) assert.ok(settingKeys.has(key), `${key} is contributed but never read`);
    for (const key of settingKeys) assert.ok(contributedSettings.includes(key), `${key} is read but not contributed`);
  });

  it('menus name only contributed commands and views', () => {
    for (const [menu, items] of Object.entries(pkg.contributes.menus ?? {})) {
      for (const item of items as { command: string; when?: string }[]) {
        assert.ok(contributedCommands.includes(item.command), `${menu}: ${item.command}`);
        for (const v of item.when?.matchAll(/view == ([\w.]+)/g) ?? []) assert.ok(contributedViews.includes(v[1]), `${menu}: view ${v[1]}`);
      }
    }
  });

  it('declares limited support for untrusted workspaces with a reason, and walkthrough steps that exist', () => {
    const t = pkg.capabilities?.untrustedWorkspaces;
    assert.equal(t?.supported, 'limited');
    assert.match(t?.description ?? '', /does not run driver code/);
    for (const w of pkg.contributes.walkthroughs) {
      for (const step of w.steps) {
        readFileSync(join(ROOT, step.media.markdown), 'utf8');
        for (const m of (step.description as string).matchAll(/command:(pagingLab\.[\w.]+)/g)) assert.ok(contributedCommands.includes(m[1]), m[1]);
      }
    }
  });

  it('names the scaffold\'s files and configurations as the walkthrough and the snippets do', () => {
    const wddm = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'wddm');
    const snippets = JSON.stringify(wddm.configurationSnippets) + JSON.stringify(wddm.initialConfigurations);
    assert.ok(snippets.includes(SCENARIO_FILE), `the snippets name ${SCENARIO_FILE}`);
    assert.doesNotMatch(snippets.replaceAll(SCENARIO_FILE, ''), /scenario\.json/);
    assert.ok(wddm.configurationSnippets.some((c: { body: { name: string } }) => c.body.name === PGASM_CONFIGURATION));
    const walkthrough = readdirSync(join(ROOT, 'docs', 'walkthrough')).map((f) => readFileSync(join(ROOT, 'docs', 'walkthrough', f), 'utf8')).join('\n');
    assert.ok(walkthrough.includes(SCENARIO_FILE));
    assert.doesNotMatch(walkthrough.replaceAll(SCENARIO_FILE, ''), /`scenario\.json`/);
  });

  it('puts "Open in VRAM View" first in the Variables view\'s context menu, and binds Ctrl+G in the VRAM view', () => {
    const items = pkg.contributes.menus['debug/variables/context'] as { command: string; group?: string }[];
    const ours = items.find((i) => i.command === 'pagingLab.openInVramView');
    assert.equal(ours?.group, 'navigation@0', 'the navigation group comes before VS Code\'s own groups');
    assert.equal(pkg.contributes.commands.find((c: { command: string }) => c.command === 'pagingLab.openInVramView')?.title, 'Open in VRAM View');
    const key = (pkg.contributes.keybindings as { command: string; key: string; when: string }[]).find((k) => k.command === 'pagingLab.vramView.goToAddress');
    assert.equal(key?.key, 'ctrl+g');
    // The view's page is outside the panel's DOM: VS Code's focusedView stays empty while the keyboard is in it.
    assert.equal(key?.when, "activePanel == 'workbench.view.extension.pagingLab-vram' && !editorFocus && !inputFocus && !terminalFocus && !focusedView");
  });

  it('activates on demand only', () => {
    for (const e of pkg.activationEvents as string[]) assert.notEqual(e, '*', 'no activation at startup');
    assert.ok(!(pkg.activationEvents as string[]).some((e) => e === 'onStartupFinished'));
    assert.ok((pkg.activationEvents as string[]).includes('onDebugResolve:wddm'));
  });
});
