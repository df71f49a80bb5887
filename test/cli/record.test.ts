// Recording and replaying a whole run from the command line (dist/cli.js in a child process, as a
// user runs it): `paging-lab run --record FILE` writes what the run depended on and its digest;
// `--replay FILE` runs it again and says it reproduced it; a driver that feeds Math.random, Date and
// performance.now into what it prints gives the same digest for the same seed and another for
// another seed; a recording whose driver sources, scenario, format or tool version differ is
// refused with what differs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { distFile, ROOT, tempDir } from '../setup';
import { RECORDING_FORMAT, RECORDING_FORMAT_VERSION, type Recording } from '../../src/sim/recording/recording';

function cli(cwd: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [distFile('cli.js'), 'run', '--quiet', ...args], { cwd, encoding: 'utf8', timeout: 90000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

const read = (file: string): Recording => JSON.parse(readFileSync(file, 'utf8')) as Recording;

/** A project folder: a copy of the reference driver, a driver wrapping it that prints what Math.random, Date and performance.now give, and a scenario. */
function project(): string {
  const dir = tempDir('paging-lab-record-');
  cpSync(join(ROOT, 'samples', 'drivers', 'reference'), join(dir, 'driver'), { recursive: true });
  writeFileSync(
    join(dir, 'driver', 'clock.ts'),
    [
      `import { DriverEntry as ReferenceDriverEntry } from './driver';`,
      `import type { DRIVER_OBJECT, DRIVER_INITIALIZATION_DATA } from 'paging-lab/ddi';`,
      `let ref: DRIVER_INITIALIZATION_DATA;`,
      `export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): number {`,
      `  const status = ReferenceDriverEntry(DriverObject, RegistryPath);`,
      `  ref = DriverObject.DriverInitializationData!;`,
      `  DriverObject.DriverInitializationData = { ...ref,`,
      `    DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {`,
      `      console.log('build', Math.random(), Date.now(), performance.now(), new Date().toISOString());`,
      `      return ref.DxgkDdiBuildPagingBuffer(h, a);`,
      `    },`,
      `  } as DRIVER_INITIALIZATION_DATA;`,
      `  return status;`,
      `}`,
    ].join('\n'),
  );
  mkdirSync(join(dir, 'scenarios'));
  cpSync(join(ROOT, 'samples', 'scenarios', 'default.json'), join(dir, 'scenarios', 'default.json'));
  return dir;
}

describe('cli: paging-lab run --record and --replay', function () {
  this.timeout(180000);
  const dir = project();
  const args = (seed: number, file: string): string[] => ['--driver', 'driver/clock.ts', '--scenario', 'scenarios/default.json', '--seed', String(seed), '--record', file];

  it('writes a recording naming every driver source by hash, the scenario, the seed, the settings and the outcome, with paths relative to it', () => {
    const ok = cli(dir, ...args(7, 'runs/a.json'));
    assert.equal(ok.status, 0, ok.out);
    assert.match(ok.out, /recording written to .*runs\/a\.json/);
    const rec = read(join(dir, 'runs', 'a.json'));
    assert.equal(rec.format, RECORDING_FORMAT);
    assert.equal(rec.formatVersion, RECORDING_FORMAT_VERSION);
    assert.equal(rec.tool.version, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    assert.equal(rec.driver.entry, '../driver/clock.ts');
    assert.deepEqual(
      rec.driver.files.map((f) => f.path),
      ['../driver/busMaster.ts', '../driver/clock.ts', '../driver/driver.ts', '../driver/segments.ts', '../driver/swizzling.ts'],
    );
    for (const f of rec.driver.files) assert.match(f.sha256, /^[0-9a-f]{64}$/);
    assert.equal(rec.scenario.path, '../scenarios/default.json');
    assert.equal(rec.scenario.name, 'default');
    assert.equal(rec.seed, 7);
    assert.equal(rec.tdrDelayMs, 2000);
    assert.equal(rec.verifier, true);
    assert.deepEqual(rec.edits, []);
    assert.equal(rec.outcome!.ok, true);
    assert.ok((rec.outcome!.events ?? 0) > 100);
    assert.match(rec.outcome!.digest ?? '', /^[0-9a-f]{64}$/);
    assert.match(rec.outcome!.inputs ?? '', /^[0-9a-f]{64}$/, 'the digest of its seed, settings and edits');
  });

  it('the same seed gives the same digest with the driver reading Math.random, Date and performance.now; another seed another digest', () => {
    assert.equal(cli(dir, ...args(7, 'runs/b.json')).status, 0);
    assert.equal(cli(dir, ...args(8, 'runs/c.json')).status, 0);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => read(join(dir, 'runs', `${n}.json`)));
    assert.equal(b.outcome!.digest, a.outcome!.digest);
    assert.notEqual(c.outcome!.digest, a.outcome!.digest);
  });

  it('--replay runs the recording again and says it reproduced it, from any folder', () => {
    const r = cli(ROOT, '--replay', join(dir, 'runs', 'a.json'));
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /replay: reproduced the recorded run \(\d+ events, digest [0-9a-f]{16}\)/);
    assert.ok(r.out.includes(read(join(dir, 'runs', 'a.json')).outcome!.digest!.slice(0, 16)));
  });

  it('a replay that gives another digest says it did not reproduce the run, and fails', () => {
    const rec = read(join(dir, 'runs', 'a.json'));
    rec.outcome!.digest = '0'.repeat(64);
    writeFileSync(join(dir, 'runs', 'wrong-digest.json'), JSON.stringify(rec));
    const r = cli(dir, '--replay', 'runs/wrong-digest.json');
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /replay: DID NOT reproduce the recorded run: \d+ events, digest 0{16} then; \d+ events, digest [0-9a-f]{16} now/);
    assert.match(r.out, /The driver, the scenario and the recording are unchanged, so this is a simulator bug/);
  });

  it('a replay of a recording whose seed or edits were changed by hand says so, not that the simulator is wrong', () => {
    const rec = read(join(dir, 'runs', 'a.json'));
    // Another seed: the run goes another way (seeds 7 and 8 give other digests, above).
    rec.seed = 8;
    writeFileSync(join(dir, 'runs', 'edited.json'), JSON.stringify(rec));
    const r = cli(dir, '--replay', 'runs/edited.json');
    assert.match(r.out, /The recording's seed, settings or edits were changed after it was recorded \(its outcome is of other inputs\): record the run again to compare/, r.out);
    assert.doesNotMatch(r.out, /simulator bug/);
    // A recording from before the outcome kept its inputs' digest: either, said as such.
    delete rec.outcome!.inputs;
    writeFileSync(join(dir, 'runs', 'edited-old.json'), JSON.stringify(rec));
    const old = cli(dir, '--replay', 'runs/edited-old.json');
    assert.match(old.out, /Unless the recording's seed, settings or edits were changed by hand, this is a simulator bug/, old.out);
  });

  it('--replay with a driver, scenario, seed or setting of its own is a usage error', () => {
    const r = cli(dir, '--replay', 'runs/a.json', '--seed', '3');
    assert.equal(r.status, 2);
    assert.match(r.out, /--replay takes the driver, scenario, seed and settings from the recording: remove --seed/);
  });

  it('a run whose worker is stopped for a TDR still writes its recording (its inputs), which hangs the same way again', () => {
    const hang = cli(ROOT, '--driver', 'samples/drivers/buggy/tdr.ts', '--tdr-delay-ms', '200', '--record', join(dir, 'runs', 'tdr.json'));
    assert.equal(hang.status, 1, hang.out);
    assert.match(hang.out, /recording written to .*tdr\.json \(the run did not finish in its worker: the recording holds its inputs, no digest\)/);
    const rec = read(join(dir, 'runs', 'tdr.json'));
    assert.deepEqual({ ...rec.outcome, inputs: undefined }, { ok: false, inputs: undefined }, 'no events, no digest');
    assert.equal(rec.tdrDelayMs, 200);
    const again = cli(ROOT, '--replay', join(dir, 'runs', 'tdr.json'));
    assert.equal(again.status, 1, again.out);
    assert.match(again.out, /verifier: tdr: DxgkDdiBuildPagingBuffer did not return within the TDR delay of 200 ms/);
  });

  describe('refuses a recording it cannot reproduce, saying what differs', () => {
    const variant = (name: string, change: (r: Recording) => void): string => {
      const rec = read(join(dir, 'runs', 'a.json'));
      change(rec);
      writeFileSync(join(dir, 'runs', name), JSON.stringify(rec));
      return `runs/${name}`;
    };
    const refused = (file: string, pattern: RegExp): void => {
      const r = cli(dir, '--replay', file);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, pattern);
      assert.doesNotMatch(r.out, /summary:/, 'nothing ran');
    };

    it('another format version', () => {
      refused(variant('format.json', (r) => (r.formatVersion = 99)), /cannot replay .*format\.json: formatVersion: is 99; this Paging Lab reads format version 1/);
    });
    it('another tool version', () => {
      refused(variant('tool.json', (r) => (r.tool.version = '0.0.1')), /cannot replay .*tool\.json: tool\.version: recorded with Paging Lab 0\.0\.1, this is \d+\.\d+\.\d+/);
    });
    it('not a recording, or not JSON, or a field of the wrong kind', () => {
      refused(variant('other.json', (r) => ((r as { format: string }).format = 'something')), /format: is "something", not "paging-lab-recording"/);
      writeFileSync(join(dir, 'runs', 'broken.json'), '{ "format": ');
      refused('runs/broken.json', /file: is not JSON/);
      refused(variant('seed.json', (r) => ((r as { seed: unknown }).seed = 'one')), /seed: must be integer/);
    });
    it('a recorded setVariable whose value is not a number or a boolean as JSON, or that names no argument', () => {
      refused(
        variant('value.json', (r) => (r.edits = [{ moment: 1, kind: 'setVariable', path: 'DriverObject', value: 'x' }])),
        /edits\[0\]\.value: is "x": a recorded setVariable sets a number or a boolean, written as JSON/,
      );
      refused(variant('string.json', (r) => (r.edits = [{ moment: 1, kind: 'setVariable', path: 'Transfer.TransferSize', value: '"4096"' }])), /edits\[0\]\.value: is "\\"4096\\""/);
      refused(variant('path.json', (r) => (r.edits = [{ moment: 1, kind: 'setVariable', path: '', value: '1' }])), /edits\[0\]\.path: is empty/);
    });
    it('a driver source that changed (the file and both hashes named), and one that is gone', () => {
      const file = join(dir, 'driver', 'swizzling.ts');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text + '\n// changed\n');
      try {
        refused('runs/a.json', /driver\.files\[4\]: driver source .*driver\/swizzling\.ts changed since the recording \(sha256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\)/);
      } finally {
        writeFileSync(file, text);
      }
      refused(variant('gone.json', (r) => (r.driver.files[0].path = '../driver/gone.ts')), /driver\.files\[0\]: driver source .*driver\/gone\.ts is missing/);
    });
    it('a scenario that changed, with every difference listed', () => {
      const file = join(dir, 'scenarios', 'default.json');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text + '\n');
      try {
        refused(variant('two.json', (r) => (r.tool.version = '0.0.1')), /cannot replay .*two\.json: \n {2}tool\.version: .*\n {2}scenario: scenario .*scenarios\/default\.json changed since the recording/);
      } finally {
        writeFileSync(file, text);
      }
    });
  });
});
