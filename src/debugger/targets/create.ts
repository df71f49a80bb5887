// Picks the target a launch asks for. Imported only by the runtime worker, so the session's thread
// never loads the simulator.

import type { ResolvedLaunch } from '../launch';
import type { RunControl, Target } from './target';
import { ProgramTarget } from './program';

export async function createTarget(config: ResolvedLaunch, ctl: RunControl): Promise<Target> {
  if (config.mode === 'program') return ProgramTarget.load(config, ctl);
  throw new Error("'driver': running a driver needs the simulated kernel, which this build does not include yet; launch a .pgasm 'program' instead");
}
