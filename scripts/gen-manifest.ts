// Writes the parts of package.json generated from the table of launch attributes and settings
// (src/debugger/launchAttributes.ts): the wddm debugger's `configurationAttributes`, the launch
// settings in `contributes.configuration`, and the settings an untrusted workspace may not set.
// Everything else in package.json is left as it is, in its place.
//   npx tsx scripts/gen-manifest.ts           rewrite package.json
//   npx tsx scripts/gen-manifest.ts --check   exit 1 if package.json is stale
// A test runs the same comparison, so the manifest cannot drift from what the adapter validates.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationAttributes, restrictedSettings, settingContributions } from '../src/debugger/launchAttributes';

export const MANIFEST = join(__dirname, '..', 'package.json');

interface Manifest {
  contributes: {
    debuggers: { type: string; configurationAttributes?: unknown }[];
    configuration: { properties: Record<string, unknown> };
  };
  capabilities?: { untrustedWorkspaces?: { restrictedConfigurations?: string[] } };
}

/** package.json's text with the generated parts brought up to date. */
export function generateManifest(text: string): string {
  const pkg = JSON.parse(text) as Manifest;
  const wddm = pkg.contributes.debuggers.find((d) => d.type === 'wddm');
  if (!wddm) throw new Error('package.json contributes no wddm debugger');
  wddm.configurationAttributes = configurationAttributes();

  // The table's settings first, in table order (launch settings replaced, renamed ones dropped), then the others.
  const generated = settingContributions();
  const isLaunchSetting = (key: string, value: unknown): boolean =>
    key in generated || /^pagingLab\.[^.]+$/.test(key) && typeof value === 'object' && value !== null && 'markdownDeprecationMessage' in value;
  const others = Object.entries(pkg.contributes.configuration.properties).filter(([k, v]) => !isLaunchSetting(k, v));
  pkg.contributes.configuration.properties = { ...generated, ...Object.fromEntries(others) };

  const untrusted = pkg.capabilities?.untrustedWorkspaces;
  if (untrusted) untrusted.restrictedConfigurations = restrictedSettings();
  return JSON.stringify(pkg, null, 2) + '\n';
}

if (require.main === module) {
  const current = readFileSync(MANIFEST, 'utf8');
  const next = generateManifest(current);
  if (process.argv.includes('--check')) {
    if (current !== next) {
      console.error('package.json is stale: run `npm run gen:manifest` (the launch attributes table changed)');
      process.exit(1);
    }
  } else if (current !== next) {
    writeFileSync(MANIFEST, next);
    console.log(`wrote ${MANIFEST}`);
  } else {
    console.log('package.json is up to date');
  }
}
