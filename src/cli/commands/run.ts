// `paging-lab run [--driver FILE.ts] [--scenario FILE.json] [--seed N] [--trace FILE]`: runs a driver
// against the simulated adapter on a scenario, printing a readable trace of DDI calls, paging
// operations, evictions and fences as they happen, then a summary. With no arguments it runs the
// bundled reference driver on the default scenario. `--record FILE` also writes the run's recording
// (src/sim/recording), which `--replay FILE` and the debugger's `"replay"` run again. Exit status 0
// on success, 1 on any failure (driver bug, bad scenario, GPU fault, lost content, a replay that
// does not reproduce its recording, a recording that cannot be replayed), 2 on bad usage.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChromeTrace } from '../chromeTrace';
import type { Command } from '../command';
import { DXGK_OPERATION_NAMES, statusName } from '../../sim/ddi/contract';
import { DriverError } from '../../sim/driver/errors';
import { formatInstructionAt } from '../../sim/hw';
import { KernelError } from '../../sim/kernel/kernelError';
import { compileDriver } from '../../sim/driver/loader';
import { RunDigest } from '../../sim/recording/digest';
import { EditReplay } from '../../sim/recording/edits';
import { makeRecording, notReproducedBecause, readRecording, RecordingError, writeRecording, type Recording, type ReplayPlan } from '../../sim/recording/recording';
import { createMachine, type MachineError, type MachineEvent, type MachineResult } from '../../sim/machine';
import { parseScenario, ScenarioError, type Scenario } from '../../sim/scenario';
import { tdrDelayFor } from '../../host/watchdog';
import { knob, SEED_RANGE, TDR_DELAY_MS_RANGE } from '../../debugger/launchAttributes';
import { fileOption, integerOption, numberOption, parseOptions, UsageError, type OptionSpecs } from '../options';
import { runInWorker } from '../runWorker';
import { pathsSummary } from '../pathsSummary';

const USAGE =
  'usage: paging-lab run [--driver FILE.ts] [--scenario FILE.json] [--seed N] [--trace FILE.json] [--quiet] [--instructions]\n' +
  '  --driver FILE.ts       the miniport driver (default: the bundled reference driver)\n' +
  '  --scenario FILE.json   adapter profile and workload (default: the bundled default scenario)\n' +
  '  --seed N               seed of the GPU random source and the workload generator\n' +
  '  --trace FILE.json      write a Chrome trace-event file (open it in Perfetto or chrome://tracing)\n' +
  '  --quiet                print only the summary\n' +
  '  --instructions         also print every GPU instruction as it executes\n' +
  '  --no-verifier          do not check the driver against the DDI rules (the scenario may also say "verifier": false)\n' +
  '  --tdr-delay-ms MS      a DDI that runs longer is a timeout (TDR); default: the scenario\'s tdrDelayMs, else 2000\n' +
  '  --record FILE.json     write the run\'s recording (driver hashes, scenario, seed, settings, outcome) to open in the debugger\n' +
  '  --replay FILE.json     run a recording again (its driver, scenario, seed and settings; refused when a source changed)\n' +
  '  --in-process           run the machine on this thread (no TDR watchdog: a hung driver hangs the command)\n';

/** A file shipped with the extension (samples/...), found relative to this bundle or the sources. */
export function bundledFile(relative: string): string {
  const candidates = [join(__dirname, '..', relative), join(__dirname, '..', '..', '..', relative), join(process.cwd(), relative)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

interface Options {
  driver: string;
  scenario: string;
  seed?: number;
  trace?: string;
  quiet: boolean;
  instructions: boolean;
  verifier?: boolean;
  tdrDelayMs?: number;
  inProcess: boolean;
  record?: string;
  replay?: string;
}

const OPTIONS = {
  driver: { type: 'string', value: 'a file' },
  scenario: { type: 'string', value: 'a file' },
  seed: { type: 'string', value: 'a non-negative integer' },
  trace: { type: 'string', value: 'a file' },
  quiet: { type: 'boolean', short: 'q' },
  instructions: { type: 'boolean' },
  'no-verifier': { type: 'boolean' },
  'tdr-delay-ms': { type: 'string', value: knob('tdrDelayMs').expects },
  'in-process': { type: 'boolean' },
  record: { type: 'string', value: 'a file' },
  replay: { type: 'string', value: 'a file' },
} as const satisfies OptionSpecs;

/** The options, or undefined for --help. Throws UsageError. */
function parseRunArgs(args: string[]): Options | undefined {
  const { values: v } = parseOptions(args, OPTIONS);
  if (v.help) return undefined;
  if (v.replay !== undefined) {
    // A recording names its own inputs: the same knobs given here would contradict it.
    const clash = (['driver', 'scenario', 'seed', 'tdr-delay-ms', 'no-verifier'] as const).find((k) => v[k] !== undefined);
    if (clash) throw new UsageError(`--replay takes the driver, scenario, seed and settings from the recording: remove --${clash}`);
  }
  return {
    driver: v.driver !== undefined ? fileOption('--driver', v.driver) : bundledFile('samples/drivers/reference/driver.ts'),
    scenario: v.scenario !== undefined ? fileOption('--scenario', v.scenario) : bundledFile('samples/scenarios/default.json'),
    seed: v.seed === undefined ? undefined : integerOption('--seed', v.seed, SEED_RANGE, `a non-negative integer up to ${SEED_RANGE.maximum}`),
    trace: v.trace === undefined ? undefined : fileOption('--trace', v.trace),
    quiet: v.quiet === true,
    instructions: v.instructions === true,
    verifier: v['no-verifier'] ? false : undefined,
    tdrDelayMs: v['tdr-delay-ms'] === undefined ? undefined : numberOption('--tdr-delay-ms', v['tdr-delay-ms'], TDR_DELAY_MS_RANGE, knob('tdrDelayMs').expects),
    inProcess: v['in-process'] === true,
    record: v.record === undefined ? undefined : fileOption('--record', v.record),
    replay: v.replay === undefined ? undefined : fileOption('--replay', v.replay),
  };
}

const us = (ns: number): string => (ns / 1000).toFixed(3).padStart(11);

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** One line for a DDI call that returned, with what matters about it. */
function describeCall(
  e: Extract<MachineEvent, { kind: 'ddi-return' }>,
  entry: { multipass: number; dmaSize: number; offset: number } | undefined,
  segmentOffset: (segmentId: number, address: number) => number,
): string | undefined {
  const { call } = e;
  const status = call.status === undefined ? '' : ` -> ${statusName(call.status)}`;
  const a = call.args as Record<string, unknown>;
  switch (call.ddi) {
    case 'DxgkDdiBuildPagingBuffer': {
      const op = DXGK_OPERATION_NAMES[a.Operation as number] ?? String(a.Operation);
      const m = a[op] as Record<string, unknown> | undefined;
      const flags = m?.Flags as Record<string, boolean> | undefined;
      const set = flags ? Object.entries(flags).filter(([, v]) => v).map(([k]) => k) : [];
      let detail = '';
      if (op === 'Transfer' && m) {
        // SegmentAddress is the segment's BaseAddress plus the offset: the trace gives the offset.
        const side = (s: Record<string, unknown>): string => (s.SegmentId === 0 ? 'MDL' : `seg${s.SegmentId}+0x${segmentOffset(s.SegmentId as number, s.SegmentAddress as number).toString(16)}`);
        detail = ` [${m.TransferOffset}, ${(m.TransferOffset as number) + (m.TransferSize as number)}) ${side(m.Source as Record<string, unknown>)} -> ${side(m.Destination as Record<string, unknown>)} MdlOffset=${m.MdlOffset}`;
      } else if (op === 'Fill' && m) {
        detail = ` ${m.FillSize} bytes of 0x${(m.FillPattern as number).toString(16)}`;
      }
      const written = entry ? ((a.pDmaBuffer as { Offset: number }).Offset - entry.offset) : 0;
      const mp = entry ? ` MultipassOffset=${entry.multipass}->${a.MultipassOffset as number}` : '';
      return `DxgkDdiBuildPagingBuffer ${op}${detail}${set.length ? ` {${set.join(', ')}}` : ''} DmaSize=${entry?.dmaSize ?? '?'}${mp}${status} (wrote ${written} bytes)`;
    }
    case 'DxgkDdiPatch':
      return `DxgkDdiPatch fence ${a.SubmissionFenceId} [${a.DmaBufferSubmissionStartOffset}, ${a.DmaBufferSubmissionEndOffset}) ${a.pPatchLocationList ? `${(a.pPatchLocationList as unknown[]).length} patch locations` : 'paging buffer, no patch-location list'}${status}`;
    case 'DxgkDdiSubmitCommand':
      return `DxgkDdiSubmitCommand engine ${a.NodeOrdinal} fence ${a.SubmissionFenceId}${(a.Flags as { Paging: boolean }).Paging ? ' (paging)' : ''} [${a.DmaBufferSubmissionStartOffset}, ${a.DmaBufferSubmissionEndOffset})${status}`;
    case 'DxgkDdiInterruptRoutine':
      return `DxgkDdiInterruptRoutine -> ${String(call.result)}`;
    case 'DxgkDdiDpcRoutine':
      return 'DxgkDdiDpcRoutine';
    default:
      return `${call.ddi}${status}`;
  }
}

export function formatError(err: MachineError): string {
  const where = err.location ? `\n  at ${err.location.file}:${err.location.line}:${err.location.column}` : '';
  const path = err.path ? `\n  scenario step: ${err.path}` : '';
  return `error (${err.category}): ${err.message}${err.message.includes('\n  at ') ? '' : where}${path}`;
}

function summary(r: MachineResult, o: Options, scenarioName: string, steps: number, seed: number, extra: string[] = []): string {
  const s = r.stats;
  const t = r.timing;
  const kernelMs = Math.max(0, t.totalMs - t.driverMs - t.engineMs - t.hostMs);
  return [
    '',
    `summary: ${r.ok ? 'ok' : 'FAILED'}`,
    `  scenario      ${scenarioName} (${steps} steps), seed ${seed}`,
    `  driver        ${o.driver}`,
    `  virtual time  ${(s.time / 1000).toFixed(3)} us; ${s.ddiCalls} DDI calls; ${s.instructions} GPU instructions; ${s.renders} renders`,
    `  paging        ${s.pageIns} page-ins, ${s.evictions} evictions, ${s.relocations} relocations; ${s.transfers} transfers in ${s.subTransfers} sub-transfers, ${s.fills} fills, ${s.discards} discards; ${bytes(s.bytesIn)} in, ${bytes(s.bytesOut)} out${s.bankPlacements ? `; ${s.bankPlacements} page-ins into a bank HintedBank named` : ''}`,
    `  build loop    ${s.buildCalls} DxgkDdiBuildPagingBuffer calls, ${s.insufficientDmaBuffer} x INSUFFICIENT_DMA_BUFFER, ${s.allocationBusy} x ALLOCATION_BUSY; ${s.pagingBuffersSubmitted} paging buffers submitted`,
    ...extra,
    `  wall time     ${t.totalMs.toFixed(1)} ms (driver ${t.driverMs.toFixed(1)} ms, GPU engines ${t.engineMs.toFixed(1)} ms, kernel ${kernelMs.toFixed(1)} ms, trace output ${t.hostMs.toFixed(1)} ms)`,
    ...(r.error ? ['', formatError(r.error)] : []),
    '',
  ].join('\n');
}

/** Writes the run's recording to `o.record`. */
async function record(o: Options, scenario: Scenario, outcome: Recording['outcome'], plan: ReplayPlan | undefined): Promise<void> {
  const compiled = await compileDriver(o.driver); // the compilation the run made, from the cache
  writeRecording(
    o.record!,
    makeRecording({
      file: o.record!,
      driverFiles: compiled.inputs,
      driverEntry: compiled.file,
      scenarioFile: o.scenario,
      scenarioName: scenario.name,
      seed: scenario.seed,
      tdrDelayMs: tdrDelayFor(o.tdrDelayMs, scenario.tdrDelayMs),
      verifier: (o.verifier ?? scenario.verifier ?? true) && scenario.verifier !== false,
      edits: plan?.edits,
      outcome,
    }),
  );
}

async function run(args: string[]): Promise<number> {
  let parsed: Options | undefined;
  try {
    parsed = parseRunArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`paging-lab run: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (!parsed) {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = parsed;
  const out = process.stdout;
  let plan: ReplayPlan | undefined;
  if (o.replay) {
    try {
      plan = readRecording(o.replay);
    } catch (e) {
      if (!(e instanceof RecordingError)) throw e;
      process.stderr.write(`paging-lab run: ${e.message}\n`);
      return 1;
    }
    Object.assign(o, { driver: plan.driver, scenario: plan.scenario, seed: plan.seed, tdrDelayMs: plan.tdrDelayMs, verifier: plan.verifier });
    if (o.inProcess) out.write(`paging-lab run: replaying ${o.replay} (recorded with seed ${plan.seed}, ${plan.edits.length} edit${plan.edits.length === 1 ? '' : 's'})\n`);
  }
  let scenario;
  try {
    if (!existsSync(o.scenario)) throw new Error(`scenario file not found: ${o.scenario}`);
    scenario = parseScenario(readFileSync(o.scenario, 'utf8'), o.scenario, o.seed);
  } catch (e) {
    process.stderr.write(`paging-lab run: ${e instanceof ScenarioError ? e.message : (e as Error).message}\n`);
    return 1;
  }
  // The machine runs in a watched worker, so a driver stuck in a DDI cannot hang this process (TDR).
  if (!o.inProcess) {
    if (o.record) rmSync(o.record, { force: true });
    const code = await runInWorker(args, tdrDelayFor(o.tdrDelayMs, scenario.tdrDelayMs), o.driver);
    // A worker stopped for a TDR (or that crashed) wrote no recording: its inputs alone still replay the hang.
    if (o.record && !existsSync(o.record) && code !== 2) {
      await record(o, scenario, { ok: false }, plan);
      out.write(`recording written to ${o.record} (the run did not finish in its worker: the recording holds its inputs, no digest)\n`);
    }
    return code;
  }
  let machine;
  try {
    machine = await createMachine({ driver: o.driver, scenario, verifier: o.verifier ?? scenario.verifier });
  } catch (e) {
    if (e instanceof DriverError || e instanceof KernelError) {
      const err: MachineError =
        e instanceof DriverError
          ? { category: 'driver', message: e.message, location: e.location }
          : { category: e.category, message: e.message, path: e.path };
      process.stderr.write(`paging-lab run: ${formatError(err)}\n`);
      return 1;
    }
    throw e;
  }
  const digest = new RunDigest();
  const edits = plan ? new EditReplay(plan.edits) : undefined;
  if (edits) machine.beforeEvent = () => edits.apply(machine);
  const trace = o.trace ? new ChromeTrace((addr) => machine.gpu.readPhysical(addr, 1)[0]) : undefined;
  if (trace) machine.kernel.onRetired = (r) => trace.onRetired(r);
  const segments = (): { name: string; used: number }[] => machine.kernel.vidmm?.segments.map((s) => ({ name: s.name, used: s.ranges.used })) ?? [];
  const tty = out.isTTY === true;
  let progressShown = false;
  let lastProgress = 0;
  const print = (line: string): void => {
    if (o.quiet) return;
    if (progressShown) {
      out.write('\r\x1b[K');
      progressShown = false;
    }
    out.write(line + '\n');
  };
  const entries = new Map<number, { multipass: number; dmaSize: number; offset: number }>();
  const steps = scenario.steps.length;
  print(`paging-lab run: ${o.driver} on scenario '${scenario.name}' (${steps} steps), seed ${scenario.seed}`);
  print(`virtual time (us)  DDI calls, kernel events, paging operations and fences as they happen`);
  let depth = 0;
  let stepsStarted = 0;
  const result = machine.run((e) => {
    digest.add(e);
    trace?.onEvent(e, segments);
    switch (e.kind) {
      case 'scenario-step': {
        stepsStarted = e.index + 1;
        const s = e.step;
        const detail =
          s.op === 'render' ? ` [${s.allocations.join(', ')}]${s.write.length ? ` writes [${s.write.join(', ')}]` : ''}` : 'id' in s ? ` '${s.id}'` : s.op === 'pressure' ? ` ${s.bytes} bytes` : '';
        print(`${us(e.time)}  step ${e.index + 1}/${steps}: ${s.op}${detail}  (${s.path})`);
        depth = 1;
        break;
      }
      case 'ddi-entry': {
        const a = e.call.args as { MultipassOffset?: number; DmaSize?: number; pDmaBuffer?: { Offset: number } };
        if (e.call.ddi === 'DxgkDdiBuildPagingBuffer') {
          entries.set(e.call.id, { multipass: a.MultipassOffset ?? 0, dmaSize: a.DmaSize ?? 0, offset: a.pDmaBuffer?.Offset ?? 0 });
        }
        break;
      }
      case 'ddi-return': {
        const line = describeCall(e, entries.get(e.call.id), (id, address) => machine.kernel.vidmm?.segmentOffset(id, address) ?? address);
        entries.delete(e.call.id);
        if (line) print(`${us(e.time)}  ${'  '.repeat(depth)}${line}`);
        break;
      }
      case 'kernel':
        // 'submission' repeats what the paging-buffer-submitted and render lines say.
        if (e.what !== 'submission') print(`${us(e.time)}  ${'  '.repeat(depth)}${e.what}: ${e.message}`);
        break;
      case 'instruction':
        if (o.instructions) {
          const bytesAt = machine.gpu.readPhysical(e.address, 64);
          print(`${us(e.time)}      engine ${e.engine} +${e.offset}: ${formatInstructionAt(bytesAt, 0, 64, (id) => machine.gpu.segments.find((s) => s.id === id)?.name)}`);
        }
        break;
      default:
        break;
    }
    if (tty && (o.quiet || steps > 200)) {
      const now = Date.now();
      if (now - lastProgress > 100) {
        lastProgress = now;
        out.write(`\r\x1b[K  step ${stepsStarted}/${steps}  virtual ${(machine.gpu.now / 1000).toFixed(0)} us  evictions ${machine.kernel.vidmm?.stats.evictions ?? 0}`);
        progressShown = true;
      }
    }
  });
  if (progressShown) out.write('\r\x1b[K');
  out.write(summary(result, o, scenario.name, steps, scenario.seed, pathsSummary(machine)));
  if (trace && o.trace) {
    writeFileSync(o.trace, trace.json());
    out.write(`trace written to ${o.trace} (open it in https://ui.perfetto.dev or chrome://tracing)\n`);
  }
  const outcome = { ok: result.ok, events: digest.events, digest: digest.hex(), ...(result.error ? { error: result.error.rule ?? result.error.category } : {}) };
  if (o.record) {
    await record(o, scenario, outcome, plan);
    out.write(`recording written to ${o.record} (replay it: paging-lab run --replay ${o.record}, or "replay" in a wddm launch configuration)\n`);
  }
  if (edits?.variables.length) {
    out.write(`replay: ${edits.variables.length} setVariable edit(s) could not be applied: at their moment the run stood at no DDI call with that argument\n`);
  }
  if (plan && edits?.pending) {
    out.write(`replay: ${edits.pending} edit(s) were not applied: the run ended before their moment\n`);
  }
  const was = plan?.recording.outcome;
  if (was?.digest) {
    if (was.digest === outcome.digest) {
      out.write(`replay: reproduced the recorded run (${outcome.events} events, digest ${outcome.digest.slice(0, 16)})\n`);
    } else {
      out.write(
        `replay: DID NOT reproduce the recorded run: ${was.events} events, digest ${was.digest.slice(0, 16)} then; ${outcome.events} events, digest ${outcome.digest.slice(0, 16)} now. ` +
          `${notReproducedBecause(plan!.recording)}\n`,
      );
      return 1;
    }
  }
  return result.ok ? 0 : 1;
}

export const runCommand: Command = {
  name: 'run',
  synopsis: 'run [--driver F.ts] [--scenario F.json] [--seed N] [--trace F.json]',
  summary: 'Run a driver against the simulated adapter on a scenario; print a trace and a summary.',
  run,
};
