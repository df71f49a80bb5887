// Child process of the kernel benchmarks: `node kernelRound.js '<shape JSON>' [plain [RUNS]]` runs
// one round of the stress (kernelWorkload.ts), watched with its floor beside it or, with `plain`,
// alone (RUNS times in the process, 2 unless given), and prints its figures as JSON.

import { runPlainRound, runStressRound, type StressShape } from './kernelWorkload';

const shape = JSON.parse(process.argv[2]) as StressShape;
const runs = Number(process.argv[4] ?? 2);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`kernelRound: RUNS must be a whole number of runs from 1, got '${process.argv[4]}'`);
(process.argv[3] === 'plain' ? runPlainRound(shape, runs) : runStressRound(shape)).then(
  (r) => process.stdout.write(JSON.stringify(r)),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
