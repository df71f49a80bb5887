// The one table of launch attributes and settings: the manifest's generated parts are current, the
// adapter validates `launch` against the table's schema with an error naming each attribute, the
// defaults a session gets are the table's, and a renamed attribute is refused with its new name.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateManifest, MANIFEST } from '../../scripts/gen-manifest';
import { LaunchError, resolveLaunch } from '../../src/debugger/launch';
import { knob, LAUNCH_KNOBS, type LaunchKnob } from '../../src/debugger/launchAttributes';
import { DEFAULT_TDR_DELAY_MS } from '../../src/host/watchdog';

const PROGRAM = join(__dirname, 'fixtures', 'copy.pgasm');

function refusal(args: Record<string, unknown>): LaunchError {
  try {
    resolveLaunch(args);
  } catch (e) {
    assert.ok(e instanceof LaunchError, String(e));
    return e;
  }
  assert.fail(`accepted ${JSON.stringify(args)}`);
}

/** A value of the wrong type for a schema. */
const wrongType = (k: LaunchKnob): unknown => (k.schema.type === 'boolean' ? 'yes' : k.schema.type === 'string' ? 42 : 'many');

describe('launch attributes: one table', () => {
  it('package.json holds what the table generates (run `npm run gen:manifest` after changing it)', () => {
    const text = readFileSync(MANIFEST, 'utf8');
    assert.equal(generateManifest(text), text, 'package.json is stale: run `npm run gen:manifest`');
    const pkg = JSON.parse(text);
    const attrs = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'wddm').configurationAttributes.launch.properties;
    for (const k of LAUNCH_KNOBS as readonly LaunchKnob[]) {
      assert.equal(attrs[k.attribute].type, k.schema.type, k.attribute);
      if (k.setting) assert.deepEqual(pkg.contributes.configuration.properties[`pagingLab.${k.setting.key}`].default, k.setting.default, k.setting.key);
    }
    assert.ok(pkg.contributes.configuration.properties['pagingLab.vramView.bytesPerRow'], 'settings the table does not own are kept');
  });

  it('the generator replaces stale parts and keeps everything else', () => {
    const text = readFileSync(MANIFEST, 'utf8');
    const stale = JSON.parse(text);
    stale.contributes.debuggers[0].configurationAttributes.launch.properties.seed.maximum = 7;
    stale.contributes.configuration.properties['pagingLab.seed'].default = 9;
    stale.capabilities.untrustedWorkspaces.restrictedConfigurations = [];
    assert.equal(generateManifest(JSON.stringify(stale, null, 2) + '\n'), text);
  });

  for (const k of LAUNCH_KNOBS as readonly LaunchKnob[]) {
    it(`refuses a '${k.attribute}' of the wrong type, naming it and what it must be`, () => {
      const e = refusal({ [k.attribute]: wrongType(k) });
      assert.equal(e.attribute, k.attribute);
      assert.equal(e.message, `'${k.attribute}': must be ${k.expects}, got ${JSON.stringify(wrongType(k))}`);
    });
  }

  it('checks ranges from the table', () => {
    assert.match(refusal({ program: PROGRAM, seed: -1 }).message, /^'seed': must be an integer from 0 to 4294967295, got -1$/);
    assert.match(refusal({ program: PROGRAM, seed: 1.5 }).message, /^'seed': must be an integer/);
    assert.match(refusal({ program: PROGRAM, tdrDelayMs: 600001 }).message, /^'tdrDelayMs': must be a number of milliseconds from 50 to 600000/);
    assert.match(refusal({ program: '' }).message, /^'program': must be a path to a \.pgasm file, got ""$/);
    assert.match(refusal({ program: '   ' }).message, /^'program': must be a path to a \.pgasm file, got " {3}"$/);
  });

  it('gives an attribute left out the table default', () => {
    const r = resolveLaunch({ program: PROGRAM, name: 'VS Code adds its own attributes', preLaunchTask: 'build', __sessionId: 'x' });
    const defaults = Object.fromEntries(
      (LAUNCH_KNOBS as readonly LaunchKnob[]).filter((k) => k.default !== undefined && k.attribute !== 'tdrDelayMs').map((k) => [k.attribute, k.default]),
    );
    assert.deepEqual({ seed: r.seed, stopOnEntry: r.stopOnEntry, verifier: r.verifier }, defaults);
    assert.equal(r.tdrDelayMs, undefined, "left to the scenario's tdrDelayMs, else the watchdog's default");
    assert.equal(knob('tdrDelayMs').default, DEFAULT_TDR_DELAY_MS, 'the manifest shows the one default');
    assert.equal(resolveLaunch({ program: PROGRAM, driver: null, scenario: null }).mode, 'program', 'null paths mean "not set"');
  });

  it('tells a launch.json that uses a former name what to rename', () => {
    const e = refusal({ program: PROGRAM, tdrDelay: 5000 });
    assert.equal(e.attribute, 'tdrDelay');
    assert.match(e.message, /^'tdrDelay': was renamed 'tdrDelayMs': rename it in the launch configuration \(launch\.json\)$/);
    assert.match(refusal({ program: PROGRAM, tdrDelay: 5000, tdrDelayMs: 300 }).message, /which sets 'tdrDelayMs' as well/);
  });

  it('one name per knob: the setting and the command-line flag spell the attribute', () => {
    const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    for (const k of LAUNCH_KNOBS as readonly LaunchKnob[]) {
      if (k.flag) assert.ok(k.flag === kebab(k.attribute) || k.flag === `no-${kebab(k.attribute)}`, `--${k.flag} for ${k.attribute}`);
      // Driver and scenario settings are fallbacks below the workspace's own files, hence `default…`.
      if (k.setting) assert.ok(k.setting.key === k.attribute || k.setting.key === `default${k.attribute[0].toUpperCase()}${k.attribute.slice(1)}`, k.setting.key);
    }
  });
});
