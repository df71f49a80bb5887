// Starting a driver session: the driver compiled (once, before any of it runs, so line breakpoints
// are placed from its source map), the scenario read and checked, and the timeline whose machines
// all run that compilation over that scenario, a replay's edits made at their moments on each.
// Every failure names the launch attribute to fix.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compileFunction } from 'node:vm';
import { tdrDelayFor } from '../../host/watchdog';
import { DriverError } from '../../sim/driver/errors';
import { compileDriver } from '../../sim/driver/loader';
import { declarationIn } from '../../sim/kernel/ddiCaller';
import { KernelError } from '../../sim/kernel/kernelError';
import { machineFrom, type Machine, type MachineEvent } from '../../sim/machine';
import { EditReplay, setArgument } from '../../sim/recording/edits';
import { parseScenario, type Scenario, ScenarioError } from '../../sim/scenario';
import { Timeline, type Edit } from '../../sim/timeline/timeline';
import { checkFunctionBreakpoints } from '../kernel/ddiBreakpoints';
import type { ResolvedLaunch } from '../launch';
import { KERNEL_THREAD_ID } from '../model';
import type { CompiledTarget, RunControl } from './target';

export const kernelThreadName = (driverName: string): string => `Kernel → ${driverName} (DDI calls)`;

/** A driver session's run, before its first event. */
export interface DriverRun {
  timeline: Timeline;
  driverPath: string;
  scenarioPath: string;
  scenarioText: string;
  /** A replay's edits as the first machine applied them (the verdict says which it could not). */
  replayEdits: EditReplay | undefined;
}

/** A file shipped with the adapter (samples/...), found next to the bundle or the sources. */
function bundled(relative: string): string {
  const candidates = [join(__dirname, '..', relative), join(__dirname, '..', '..', '..', relative), join(process.cwd(), relative)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/**
 * Compiles the driver without running any of it: the debugger places line breakpoints from its
 * source map before the module's top level runs (loadDriverRun then reuses the compilation).
 */
export async function compileDriverTarget(config: ResolvedLaunch): Promise<CompiledTarget> {
  const driver = config.driver ?? bundled('samples/drivers/reference/driver.ts');
  if (!existsSync(driver)) throw new Error(`'driver': the bundled reference driver is missing (${driver})`);
  let compiled;
  try {
    compiled = await compileDriver(driver);
  } catch (e) {
    throw new Error(`'driver': ${e instanceof Error ? e.message : String(e)}`);
  }
  // Parsed here once and never run, so V8 knows the script's breakable positions: a line breakpoint
  // placed before the module runs answers with the line it will stop at (a function's heading moves into its body).
  compileFunction(compiled.script.code, ['exports', 'require', 'module'], { filename: compiled.script.name });
  const files = compiled.inputs;
  return {
    threads: [{ id: KERNEL_THREAD_ID, name: kernelThreadName(basename(driver)) }],
    driverScript: compiled.script,
    functionBreakpoints: (bps) => checkFunctionBreakpoints(bps, (ddi) => declarationIn(files, ddi)),
  };
}

export async function loadDriverRun(config: ResolvedLaunch, ctl: RunControl): Promise<DriverRun> {
  const driver = config.driver ?? bundled('samples/drivers/reference/driver.ts');
  const scenarioPath = config.scenario ?? bundled('samples/scenarios/default.json');
  if (!existsSync(driver)) throw new Error(`'driver': the bundled reference driver is missing (${driver})`);
  if (!existsSync(scenarioPath)) throw new Error(`'scenario': the bundled default scenario is missing (${scenarioPath})`);
  let scenario: Scenario;
  const text = readFileSync(scenarioPath, 'utf8');
  try {
    scenario = parseScenario(text, scenarioPath, config.seed);
  } catch (e) {
    throw new Error(`'scenario': ${e instanceof ScenarioError || e instanceof Error ? e.message : String(e)}`);
  }
  ctl.useTdrDelay(tdrDelayFor(config.tdrDelayMs, scenario.tdrDelayMs));
  let timeline: Timeline;
  let firstReplay: EditReplay | undefined;
  try {
    // Compiled once: every machine of the timeline (replays) is built from it synchronously.
    const compiled = await compileDriver(driver);
    // As `paging-lab run` does: the verifier switch turns the DDI rules off, never the content checks.
    const plan = config.replay;
    timeline = new Timeline({
      make: () => {
        const m = machineFrom(compiled, { scenario, verifier: config.verifier });
        // A replay's memory edits go in at their moments, before the event that followed them, on every machine of the timeline.
        if (plan) {
          const replay = new EditReplay(plan.edits);
          firstReplay ??= replay;
          m.beforeEvent = () => replay.apply(m);
        }
        return m;
      },
      applyEdit: (m, edit, event) => applyEdit(m, edit, event),
      notice: (text) => ctl.output('console', text + '\n'),
    });
  } catch (e) {
    const attr = e instanceof KernelError && e.category === 'scenario' ? 'scenario' : 'driver';
    throw new Error(`'${attr}': ${e instanceof DriverError || e instanceof Error ? e.message : String(e)}`);
  }
  return { timeline, driverPath: driver, scenarioPath, scenarioText: text, replayEdits: firstReplay };
}

/** Makes an edit recorded at a moment again, on a replay standing at that moment (its event `event`). */
function applyEdit(m: Machine, edit: Edit, event: MachineEvent | undefined): void {
  if (edit.kind === 'writeMemory' && edit.address !== undefined && edit.data !== undefined) {
    m.gpu.debugWrite(edit.address, Buffer.from(edit.data, 'hex'));
    return;
  }
  if (edit.kind === 'setVariable' && event?.kind === 'ddi-entry') setArgument(event.call.args, edit.path, edit.value);
}
