// Child process of the kernel benchmark: `node kernelRound.js '<shape JSON>'` runs one round of the
// stress (kernelWorkload.ts) and prints its figures as JSON.

import { runStressRound, type StressShape } from './kernelWorkload';

runStressRound(JSON.parse(process.argv[2]) as StressShape).then(
  (r) => process.stdout.write(JSON.stringify(r)),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
