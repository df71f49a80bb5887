// Picks the target a launch asks for. Imported only by the runtime worker, so the session's thread
// never loads the simulator.

import type { ResolvedLaunch } from '../launch';
import type { CompiledTarget, RunControl, Target } from './target';
import { ProgramTarget } from './program';
import { DriverTarget } from './driver';

/** What the debugger needs before the target's own code runs: the driver's compiled script (driver targets). */
export async function compileTarget(config: ResolvedLaunch): Promise<CompiledTarget> {
  if (config.mode === 'program') return {};
  return DriverTarget.compile(config);
}

export async function createTarget(config: ResolvedLaunch, ctl: RunControl): Promise<Target> {
  if (config.mode === 'program') return ProgramTarget.load(config, ctl);
  return DriverTarget.load(config, ctl);
}
