// The benchmark suites `npm run bench` runs, in order. Each layer adds its own file.

import type { Suite } from './suite';
import { languageSuite } from './language.bench';
import { gpuSuite } from './gpu.bench';
import { extensionSuite } from './extension.bench';
import { kernelSuite } from './kernel.bench';
import { firstRunSuite } from './firstRun.bench';
import { isaSuite } from './isa.bench';
import { verifierSuite } from './verifier.bench';
import { debuggerSuite } from './debugger.bench';
import { debuggerSoakSuite } from './debuggerSoak.bench';
import { sweepSuite } from './sweep.bench';
import { dataBreakpointsSuite } from './dataBreakpoints.bench';
import { travelSuite } from './travel.bench';

export const suites: Suite[] = [isaSuite, languageSuite, gpuSuite, kernelSuite, firstRunSuite, verifierSuite, debuggerSuite, debuggerSoakSuite, dataBreakpointsSuite, travelSuite, sweepSuite, extensionSuite];
