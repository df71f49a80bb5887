// `npm run bench`: runs every benchmark suite and prints its figures. A suite measures its own
// baseline in the same run and prints ratios against it; nothing here passes or fails on time.
// Every suite's figures are framed by the machine's load when it starts and ends: on a shared
// machine they move with it.

import { loadRow } from './suite';
import { suites } from './suites';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !suites.some((s) => s.name === name));
  if (unknown.length) {
    console.error(`no benchmark suite named ${unknown.map((n) => `'${n}'`).join(', ')}; the suites are: ${suites.map((s) => s.name).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  for (const suite of suites) {
    if (only.length && !only.includes(suite.name)) continue;
    console.log(`\n## ${suite.name}: ${suite.title}\n`);
    loadRow('start');
    const started = performance.now();
    await suite.run();
    loadRow('end');
    console.log(`  the suite took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
