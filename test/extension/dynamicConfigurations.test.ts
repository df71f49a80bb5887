import assert from 'node:assert/strict';
import { dynamicConfigurations, exportsDriverEntry, type OpenFile } from '../../src/extension/dynamicConfigurations';

const file = (path: string, languageId: string, text = ''): OpenFile => ({ path, languageId, text: () => text });
const rel = (p: string) => p.replace(/^\/ws\//, '');

describe('dynamic launch configurations', () => {
  it('recognises a module that exports DriverEntry', () => {
    assert.ok(exportsDriverEntry('export function DriverEntry(DriverObject: DRIVER_OBJECT) {}'));
    assert.ok(exportsDriverEntry('export const DriverEntry = (d) => 0;'));
    assert.ok(exportsDriverEntry('function DriverEntry() {}\nexport { helper, DriverEntry };'));
    assert.ok(!exportsDriverEntry("import { DriverEntry as Reference } from '../reference/driver';\nfunction DriverEntry() {}"));
    assert.ok(!exportsDriverEntry('// DriverEntry registers the DDIs'));
  });

  it('offers the open .pgasm file and the open driver first, then the workspace drivers, each once', () => {
    const open = [
      file('/ws/fill.pgasm', 'pgasm'),
      file('/ws/buggy/tdr.ts', 'typescript', 'export function DriverEntry() {}'),
      file('/ws/util.ts', 'typescript', 'export const x = 1;'),
      file('/ws/driver.ts', 'typescript', 'export function DriverEntry() {}'),
      file('/ws/fill.pgasm', 'pgasm'),
    ];
    const configs = dynamicConfigurations(open, ['/ws/driver.ts', '/ws/other/driver.ts'], rel);
    assert.deepEqual(configs.map((c) => c.name), ['Run fill.pgasm', 'Debug buggy/tdr.ts', 'Debug driver.ts', 'Debug other/driver.ts']);
    assert.equal(configs[0].program, '/ws/fill.pgasm');
    assert.equal(configs[1].driver, '/ws/buggy/tdr.ts');
    for (const c of configs) assert.equal(c.type, 'wddm');
  });

  it('reads a TypeScript file only to decide, and never a .d.ts', () => {
    let reads = 0;
    const typings: OpenFile = { path: '/ws/paging-lab-ddi.d.ts', languageId: 'typescript', text: () => (reads++, 'export function DriverEntry(): void;') };
    assert.deepEqual(dynamicConfigurations([typings, file('/ws/a.pgasm', 'pgasm')], [], rel).map((c) => c.name), ['Run a.pgasm']);
    assert.equal(reads, 0);
  });
});
