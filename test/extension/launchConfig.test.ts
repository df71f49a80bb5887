import assert from 'node:assert/strict';
import { completeLaunchConfig, checkFiles, pickFile, UNTRUSTED_MESSAGE, type LaunchContext } from '../../src/extension/launchConfig';

const settings = { defaultDriver: '', defaultScenario: '', seed: 7, tdrDelayMs: 3000, verifier: true };
const base: LaunchContext = {
  trusted: true,
  workspaceDrivers: [],
  workspaceScenarios: [],
  settings,
  bundled: { driver: '/ext/samples/drivers/reference/driver.ts', scenario: '/ext/samples/scenarios/default.scenario.json' },
  workspaceFolder: '/ws',
};

describe('launch configuration completion', () => {
  it('refuses in an untrusted workspace and says why', () => {
    const r = completeLaunchConfig({}, { ...base, trusted: false });
    assert.deepEqual(r, { ok: false, error: UNTRUSTED_MESSAGE });
    assert.match(UNTRUSTED_MESSAGE, /not trusted/);
    assert.match(UNTRUSTED_MESSAGE, /runs the driver's TypeScript code/);
  });

  it('F5 without launch.json debugs the driver and scenario found in the workspace', () => {
    const r = completeLaunchConfig({}, {
      ...base,
      workspaceDrivers: ['/ws/deep/x/a.driver.ts', '/ws/src/b.driver.ts', '/ws/src/driver.ts'],
      workspaceScenarios: ['/ws/s/z.scenario.json', '/ws/s/a.scenario.json'],
    });
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.config.type, 'wddm');
    assert.equal(r.config.request, 'launch');
    assert.equal(r.config.driver, '/ws/src/driver.ts');
    assert.equal(r.config.scenario, '/ws/s/a.scenario.json');
    assert.equal(r.config.seed, 7);
    assert.equal(r.config.tdrDelayMs, 3000);
    assert.equal(r.config.verifier, true);
    assert.equal(r.config.cwd, '/ws');
  });

  it('a configuration that replays a recording gets no driver, scenario, seed or settings beside it (the recording names them)', () => {
    const r = completeLaunchConfig(
      { type: 'wddm', request: 'launch', name: 'Replay', replay: 'recordings/x.recording.json' },
      { ...base, workspaceDrivers: ['/ws/driver.ts'], workspaceScenarios: ['/ws/scenario.json'] },
    );
    assert.deepEqual(r, { ok: true, config: { type: 'wddm', request: 'launch', name: 'Replay', replay: 'recordings/x.recording.json', cwd: '/ws' } });
  });

  it('falls back to the settings, then the bundled samples', () => {
    const viaSettings = completeLaunchConfig({}, { ...base, settings: { ...settings, defaultDriver: 'drv/my.ts', defaultScenario: '/abs/s.json' } });
    assert.ok(viaSettings.ok && viaSettings.config.driver === '/ws/drv/my.ts' && viaSettings.config.scenario === '/abs/s.json');
    const bundled = completeLaunchConfig({}, base);
    assert.ok(bundled.ok);
    if (bundled.ok) {
      assert.equal(bundled.config.driver, base.bundled.driver);
      assert.equal(bundled.config.scenario, base.bundled.scenario);
    }
  });

  it('F5 with a driver open in the editor debugs that driver', () => {
    const r = completeLaunchConfig({}, { ...base, activeFile: { path: '/ws/buggy/tdr.ts', languageId: 'typescript', isDriver: true }, workspaceDrivers: ['/ws/driver.ts'] });
    assert.ok(r.ok && r.config.driver === '/ws/buggy/tdr.ts');
    const notDriver = completeLaunchConfig({}, { ...base, activeFile: { path: '/ws/util.ts', languageId: 'typescript', isDriver: false }, workspaceDrivers: ['/ws/driver.ts'] });
    assert.ok(notDriver.ok && notDriver.config.driver === '/ws/driver.ts');
    const named = completeLaunchConfig({ type: 'wddm', request: 'launch', name: 'mine' }, { ...base, activeFile: { path: '/ws/buggy/tdr.ts', languageId: 'typescript', isDriver: true }, workspaceDrivers: ['/ws/driver.ts'] });
    assert.ok(named.ok && named.config.driver === '/ws/driver.ts', 'a launch.json configuration is not overridden by the editor');
  });

  it('F5 on a .pgasm file runs that program', () => {
    const r = completeLaunchConfig({}, { ...base, activeFile: { path: '/ws/p/copy.pgasm', languageId: 'pgasm' }, workspaceDrivers: ['/ws/driver.ts'] });
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.config.program, '/ws/p/copy.pgasm');
      assert.equal(r.config.driver, undefined);
      assert.equal(r.config.stopOnEntry, true);
    }
  });

  it('keeps what launch.json says and only fills the gaps', () => {
    const r = completeLaunchConfig({ type: 'wddm', request: 'launch', name: 'x', driver: '${workspaceFolder}/d.ts', seed: 3, verifier: false }, { ...base, workspaceScenarios: ['/ws/scenario.json'] });
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.config.driver, '${workspaceFolder}/d.ts');
      assert.equal(r.config.scenario, '/ws/scenario.json');
      assert.equal(r.config.seed, 3);
      assert.equal(r.config.verifier, false);
    }
    const program = completeLaunchConfig({ type: 'wddm', request: 'launch', name: 'p', program: '/a.pgasm' }, { ...base, workspaceDrivers: ['/ws/driver.ts'] });
    assert.ok(program.ok && program.config.driver === undefined, 'a program configuration gets no driver');
    const attach = completeLaunchConfig({ type: 'wddm', request: 'attach', name: 'a' }, base);
    assert.equal(attach.ok, false);
    const other = completeLaunchConfig({ type: 'node', request: 'launch', name: 'n' }, base);
    assert.deepEqual(other, { ok: true, config: { type: 'node', request: 'launch', name: 'n' } });
  });

  it('leaves the TDR delay to the scenario when the setting is not set', () => {
    const r = completeLaunchConfig({}, { ...base, settings: { ...settings, tdrDelayMs: undefined } });
    assert.ok(r.ok && !('tdrDelayMs' in r.config), 'no tdrDelayMs filled in');
    const own = completeLaunchConfig({ type: 'wddm', request: 'launch', name: 'x', tdrDelayMs: 400 }, base);
    assert.ok(own.ok && own.config.tdrDelayMs === 400, "launch.json's own value wins over the setting");
  });

  it('checks the named files exist, naming the attribute to fix', () => {
    const exists = (p: string) => p === '/ws/driver.ts';
    assert.equal(checkFiles({ driver: '/ws/driver.ts' }, exists), undefined);
    assert.equal(checkFiles({ driver: 'driver.ts', cwd: '/ws' }, exists), undefined);
    assert.match(checkFiles({ driver: '/ws/driver.ts', scenario: '/ws/nope.json' }, exists) ?? '', /scenario file \/ws\/nope\.json does not exist.*defaultScenario/);
    assert.match(checkFiles({ program: 42 }, exists) ?? '', /'program' must be a file path/);
  });

  it('prefers driver.ts, then shallower paths', () => {
    assert.equal(pickFile(['/a/b/c.driver.ts', '/a/x.driver.ts'], 'driver.ts'), '/a/x.driver.ts');
    assert.equal(pickFile([], 'driver.ts'), undefined);
  });
});
