import assert from 'node:assert/strict';
import { occupancyMap, busyNames } from '../../src/extension/occupancyMap';
import { pgasmListing, validRun } from '../../src/extension/pgasmListing';
import { scaffoldFiles } from '../../src/extension/scaffold';
import { contentSecurityPolicy, vramViewHtml } from '../../src/extension/webviewHtml';
import { formatBytes } from '../../src/extension/format';
import type { AdapterStateResponse } from '../../src/debugger/customRequests';

describe('segment occupancy map', () => {
  const state: AdapterStateResponse = {
    time: 0,
    segments: [{ id: 1, name: 'vram<1>', kind: 'memory', size: 1000, used: 300, cpuVisible: true, allocations: 2, resident: 2, memoryReference: '0x1' }],
    allocations: [
      { handle: 1, name: 'A', size: 250, state: 'resident', segmentId: 1, offset: 500, locked: false },
      { handle: 2, name: 'Tiny', size: 1, state: 'resident', segmentId: 1, offset: 0, locked: true },
      { handle: 3, name: 'Gone', size: 100, state: 'evicted', locked: false },
    ],
    fences: [],
    pagingQueue: [],
  };
  it('places each resident allocation at its offset in a bar of fixed-size text, names wide blocks, draws free space and a legend', () => {
    const { html, style } = occupancyMap(state);
    assert.match(html, /<span class="name">vram&lt;1&gt;<\/span>/);
    assert.match(html, /300 B used of 1000 B \(30%\) · 700 B free/);
    // Positions are rules of the page's nonce'd style (the policy allows no style attributes).
    assert.doesNotMatch(html, /style=/);
    const blocks = [...html.matchAll(/<div class="block ([\w ]+) (k\d+)" title="([^"]*)">(.*?)<\/div>/g)].map((m) => ({ cls: m[1], id: m[2], title: m[3], inner: m[4] }));
    assert.equal(blocks.length, 2, 'the evicted allocation is not in the bar');
    const [tiny, a] = blocks;
    assert.match(tiny.cls, /locked/);
    assert.equal(tiny.inner, '', 'a block too narrow for its name carries none');
    assert.match(style, new RegExp(`\\.${tiny.id}\\{left:0\\.000%;width:max\\(2px,0\\.100%\\)\\}`), 'a 1-byte allocation stays a visible sliver');
    assert.match(a.cls, /resident/);
    assert.match(a.inner, /<span class="block-name">A<\/span>/);
    assert.match(style, new RegExp(`\\.${a.id}\\{left:50\\.000%;width:max\\(2px,25\\.000%\\)\\}`));
    assert.match(a.title, /A \(0x1\): resident, offset 0x1f4, 250 B/);
    for (const s of ['resident', 'locked', 'busy', 'free', 'evicted: 1']) assert.match(html, new RegExp(`</i>${s}`), `legend: ${s}`);
  });

  it('marks an allocation busy while GPU work that names it is in flight', () => {
    const q = (operation: string, st: 'queued' | 'running' | 'done') => ({ ...state, pagingQueue: [{ fenceValue: '1', operation, state: st }] });
    assert.deepEqual([...busyNames(q("GPU write to 'A' through aperture", 'running'))], ['A']);
    assert.deepEqual([...busyNames(q('render 3 [Tiny, A]', 'queued'))].sort(), ['A', 'Tiny']);
    assert.deepEqual([...busyNames(q("GPU write to 'A' through aperture", 'done'))], []);
    assert.deepEqual([...busyNames(q("GPU write to 'AB'", 'running'))], []);
  });
});

describe('paging buffer listing', () => {
  const list = [
    { address: '0x0', instruction: '??', presentationHint: 'invalid' as const },
    { address: '0x1000', instruction: 'fill vram:0x0, 0x1000, 0' },
    { address: '0x1010', instruction: 'copy vram:0x0, local:0x0, 0x100', instructionBytes: '05 00' },
    { address: '0x1030', instruction: 'signal 3' },
    { address: '0x1038', instruction: '(invalid: unknown opcode 0x00)', presentationHint: 'invalid' as const },
  ];
  it('lists the valid run around the instruction pointer', () => {
    assert.deepEqual(validRun(list, 2), [1, 3]);
    const text = pgasmListing(list, 2, 'paging buffer');
    const lines = text.trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[1], /3 instructions from 0x1000/);
    assert.match(lines[3], /copy vram:0x0, local:0x0, 0x100 +; 0x1010 +\[05 00\] +<- next/);
    assert.throws(() => pgasmListing(list, 0, 'x'), /no valid instruction/);
  });
  it('stops at the data rows around the buffer: the zero bytes before it and the end marker after it are not listed', () => {
    const list = [
      { address: '0xf00', instruction: '.u8 0, ...  ; 0x100 zero bytes' },
      { address: '0x1000', instruction: 'fill vram:0x1000, 0x40, 0xDEADBEEF' },
      { address: '0x1010', instruction: 'nop' },
      { address: '0x1014', instruction: '(end of paging buffer)  .u8 0, ...  ; 0xfec zero bytes' },
    ];
    assert.deepEqual(validRun(list, 2), [1, 2]);
    assert.match(pgasmListing(list, 2, 'b'), /^; b\n; 2 instructions from 0x1000\n {4}fill /);
  });
});

describe('new driver project', () => {
  it('plans the driver with a reference to the typings, a scenario, tsconfig and launch.json', () => {
    const files = scaffoldFiles({
      ddiTypings: 'declare module "paging-lab/ddi" {}',
      driverFiles: [{ path: 'driver.ts', content: 'export const x = 1;\n' }, { path: 'helper.ts', content: 'export const y = 2;\n' }],
      scenario: '{"$schema": "../../schemas/scenario.schema.json", "steps": []}',
    });
    const by = new Map(files.map((f) => [f.path, f.content]));
    assert.match(by.get('driver.ts') ?? '', /^\/\/\/ <reference path="\.\/paging-lab-ddi\.d\.ts" \/>\nexport const x/);
    assert.equal(by.get('paging-lab-ddi.d.ts'), 'declare module "paging-lab/ddi" {}');
    const launch = JSON.parse(by.get('.vscode/launch.json') ?? '');
    assert.equal(launch.configurations[0].type, 'wddm');
    assert.equal(launch.configurations[0].driver, '${workspaceFolder}/driver.ts');
    assert.equal(launch.configurations[0].scenario, '${workspaceFolder}/default.scenario.json');
    assert.deepEqual(launch.configurations[1], { type: 'wddm', request: 'launch', name: 'Run the pgasm file in the editor', program: '${file}', stopOnEntry: true });
    assert.deepEqual(JSON.parse(by.get('default.scenario.json') ?? ''), { steps: [] }, 'the relative $schema is dropped');
    assert.equal(by.get('helper.ts'), 'export const y = 2;\n', 'the modules the driver imports come along, unchanged');
    assert.deepEqual(JSON.parse(by.get('tsconfig.json') ?? '').include, ['*.ts']);
    const sample = scaffoldFiles({ ddiTypings: '', driverFiles: [{ path: 'driver.ts', content: '/// <reference path="../../../types/paging-lab-ddi.d.ts" />\n// the driver\n' }], scenario: '{}' });
    assert.equal(sample[0].content, '/// <reference path="./paging-lab-ddi.d.ts" />\n// the driver\n', 'the sample\'s path is rewritten to the project\'s copy');
    assert.throws(() => scaffoldFiles({ ddiTypings: '', driverFiles: [{ path: 'driver.ts', content: '' }], scenario: '{oops' }), /bundled scenario is not valid JSON/);
    assert.throws(() => scaffoldFiles({ ddiTypings: '', driverFiles: [{ path: 'x.ts', content: '' }], scenario: '{}' }), /no driver\.ts/);
  });
});

describe('webview content security', () => {
  it('allows nothing by default, scripts only with the nonce, no remote origins', () => {
    const csp = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc', { scripts: true });
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|http:/);
    assert.doesNotMatch(contentSecurityPolicy('x', 'n', { scripts: false }), /script-src/);
    const html = vramViewHtml({ cspSource: 'vscode-src', script: 'let a = "</script>";\n//# sourceMappingURL=vramView.js.map\n', style: 'body { color: red }', nonce: 'N0' });
    assert.match(html, /<script nonce="N0">let a = "<\\\/script>";\n\n<\/script>/, 'the page carries its script, which cannot close the element early');
    assert.match(html, /<style nonce="N0">body \{ color: red \}<\/style>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.doesNotMatch(html, /https?:\/\//);
    for (const id of ['scroller', 'spacer', 'rows', 'goto', 'status', 'title', 'inspector-body', 'endian', 'cursor-info']) {
      assert.match(html, new RegExp(`id="${id}"`), `the script needs #${id}`);
    }
  });

  it('formats sizes', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(256 * 2 ** 20), '256 MiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
  });
});
