// Picks the target a launch asks for. Imported only by the runtime worker, so the session's thread
// never loads the simulator.

import type { ResolvedLaunch } from '../launch';
import type { RunControl, Target } from './target';
import { ProgramTarget } from './program';
import { DriverTarget } from './driver';

export async function createTarget(config: ResolvedLaunch, ctl: RunControl): Promise<Target> {
  if (config.mode === 'program') return ProgramTarget.load(config, ctl);
  return DriverTarget.load(config, ctl);
}
