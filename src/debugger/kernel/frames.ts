// The frames and scopes of a driver session's stop: on the kernel thread the DDI call in progress
// (at its line of the driver, or at its `return` once it returned), a driver line that broke a rule
// above it, and under it what caused it (the VidMm operation, the scenario step at its line of the
// scenario file); on each GPU thread the instruction its engine runs next, or what the idle engine
// waits for. Read from the machine standing at the stop; the target decides when a stop is made.

import { basename } from 'node:path';
import { DXGK_OPERATION_NAMES, statusName } from '../../sim/ddi/contract';
import { ReturnSites } from '../../sim/driver/returnSite';
import type { Machine, MachineEvent, MachineState } from '../../sim/machine';
import { hex } from '../../isa/hex';
import { formatValue, type Value } from '../expression';
import type { GpuView, InstructionPointer } from '../gpu/view';
import { formatAddress } from '../memoryReference';
import type { FrameInfo, ScopeInfo, SourceRef, VarNode } from '../model';
import { childrenOf, type ObjectRegistry, toVar } from '../targets/values';
import { samePath } from '../samePath';
import { ddiBufferReference } from './ddiBuffer';

type DdiCallState = NonNullable<MachineState['currentDdi']>;

/** What the frames are read from: the machine at the stop, its state read once for the stop, the GPU view, the stop's variable references. */
export interface FrameSources {
  machine(): Machine;
  state(): MachineState | undefined;
  readonly gpu: GpuView;
  readonly reg: ObjectRegistry;
  /** When frames began, from the run's moment index (Restart Frame goes there); undefined: not known. */
  began?: FrameStarts;
}

/** The moments the things a frame stands for began. */
export interface FrameStarts {
  /** DDI call `id`'s entry. */
  call(id: number): number | undefined;
  /** Scenario step `index` (0-based). */
  step(index: number): number | undefined;
  /** The first instruction engine `engine` executed of submission `submissionId`. */
  submission(engine: number, submissionId: number): number | undefined;
}

export class StopFrames {
  private readonly scenarioLines: string[];
  private returnSites: ReturnSites | undefined;

  constructor(
    private readonly from: FrameSources,
    private readonly scenarioPath: string,
    scenarioText: string,
  ) {
    this.scenarioLines = scenarioText.split('\n');
  }

  /** The kernel thread's frames at event `e`, innermost first. */
  kernel(e: MachineEvent): FrameInfo[] {
    const frames: FrameInfo[] = [];
    const st = this.from.state()!;
    const call = e.kind === 'ddi-entry' || e.kind === 'ddi-return' ? e.call : st.currentDdi;
    if (call) {
      const returned = e.kind === 'ddi-return' && e.call === call;
      const def = this.ddiLine(call, returned);
      const args = call.args as Record<string, unknown>;
      let detail = '';
      if (call.ddi === 'DxgkDdiBuildPagingBuffer' && typeof args.Operation === 'number') detail = DXGK_OPERATION_NAMES[args.Operation] ?? String(args.Operation);
      const phase = returned ? ` → ${call.status !== undefined ? statusName(call.status) : formatValue(call.result as Value)}` : '';
      const scopes = this.callScopes(call, e.kind === 'ddi-entry');
      // A rule broken or an exception raised at another line of the driver: that line on top, the DDI under it.
      const err = e.kind === 'error' ? e.error : undefined;
      const at = err?.location;
      const ddiAt = err?.ddiLocation ?? def;
      if (err && at && !(ddiAt && samePath(at.file, ddiAt.file) && at.line === ddiAt.line)) {
        frames.push({
          name: err.rule ? `verifier: ${err.rule}` : `${err.category} error: ${err.message.split('\n')[0]}`,
          source: { name: basename(at.file), path: at.file },
          line: at.line,
          column: at.column,
          scopes,
        });
      }
      frames.push({
        name: `${call.ddi}(${detail})${phase}`,
        source: ddiAt ? { name: basename(ddiAt.file), path: ddiAt.file } : undefined,
        line: ddiAt?.line ?? 0,
        column: ddiAt?.column ?? 0,
        instructionPointerReference: ddiBufferReference(call.ddi, args),
        scopes,
        restart: this.from.began?.call(call.id),
      });
    } else if (e.kind === 'kernel') {
      frames.push({ name: `kernel: ${e.message}`, line: 0, column: 0, scopes: adapterScopes([{ name: 'Event', presentationHint: 'locals', expensive: false, vars: this.eventVars(e) }]) });
    } else if (e.kind === 'error') {
      const loc = e.error.location;
      frames.push({
        name: `${e.error.category} error: ${e.error.message.split('\n')[0]}`,
        source: loc ? { name: basename(loc.file), path: loc.file } : undefined,
        line: loc?.line ?? 0,
        column: loc?.column ?? 0,
        scopes: adapterScopes([]),
      });
    }
    const causes = call ? call.cause : st.frames;
    for (let i = causes.length - 1; i >= 0; i--) {
      const label = causes[i];
      const stepMatch = /#(\/(?:workload|generate)\/\d+[^)]*)\)/.exec(label);
      // A scenario step's frame (the kernel's "step N: op (file#path)") restarts at the step.
      const stepNumber = /^step (\d+): /.exec(label);
      frames.push({
        name: label,
        source: stepMatch ? this.scenarioSource() : undefined,
        line: stepMatch ? this.stepLine(stepMatch[1]) : 0,
        column: stepMatch ? 1 : 0,
        presentationHint: stepMatch ? 'normal' : 'label',
        scopes: adapterScopes([]),
        restart: stepNumber ? this.from.began?.step(Number(stepNumber[1]) - 1) : undefined,
      });
    }
    if (!frames.length) {
      const what = e.kind === 'scenario-step' ? `scenario step ${e.index + 1}: ${e.step.op}` : e.kind === 'done' ? 'finished' : 'kernel';
      frames.push({
        name: what,
        source: e.kind === 'scenario-step' ? this.scenarioSource() : undefined,
        line: e.kind === 'scenario-step' ? this.stepLine(e.step.path) : 0,
        column: e.kind === 'scenario-step' ? 1 : 0,
        scopes: adapterScopes([]),
        restart: e.kind === 'scenario-step' ? this.from.began?.step(e.index) : undefined,
      });
    }
    return frames;
  }

  /** GPU engine `engine`'s frames: the instruction it runs next in its paging buffer, or what it waits for. */
  engine(engine: number): FrameInfo[] {
    const gpu = this.from.gpu;
    const scopes = adapterScopes(gpu.scopes(engine));
    const next = this.instructionPointer(engine);
    // No instruction: a named note as the source, so selecting the thread focuses it (and F10 then
    // steps this engine, not the kernel), drawn as a caption rather than as "Unknown Source".
    if (!next) {
      const name = this.idleName(engine);
      const at = gpu.idleLocation(engine, name.replace(/^engine \d+ /, ''));
      return [{ name, source: at.source, line: at.line, column: 1, presentationHint: 'label', scopes }];
    }
    const base = next.address - next.offset;
    const at = gpu.bufferLocation(next, engine);
    return [
      {
        name: `${gpu.instructionText(next.address)}  [buffer ${hex(base)}+${hex(next.offset)}]`,
        source: at?.source,
        line: at?.line ?? 0,
        column: at ? 1 : 0,
        instructionPointerReference: formatAddress(next.address),
        scopes,
        // Its paging buffer from the first instruction the engine ran of it (none yet: it starts here).
        restart: next.offset === 0 ? undefined : this.from.began?.submission(engine, next.submissionId),
      },
      { name: `paging buffer, submission ${next.submissionId} at ${hex(base)}`, line: 0, column: 0, presentationHint: 'label', scopes: [] },
    ];
  }

  /** Where `engine` runs next, with the length of the buffer it is in (the kernel mirrors the hardware queue). */
  instructionPointer(engine: number): InstructionPointer | undefined {
    const registers = this.from.machine().kernel.registers;
    const next = registers.nextInstruction(engine);
    if (!next) return undefined;
    const base = next.address - next.offset;
    const sub = registers.hwQueues[engine]?.find((s) => s.physical === base && s.submissionId === next.submissionId);
    return sub ? { ...next, length: sub.length } : next;
  }

  /** What an engine with nothing to run is doing, as its frame's name. */
  private idleName(engine: number): string {
    const v = this.from.gpu.hw.engineView(engine);
    const e = this.from.state()?.engines.find((x) => x.engine === engine);
    if (v.state !== 'idle') return `engine ${engine} ${v.state}`;
    if (e && e.lastSubmittedFence > e.lastCompletedFence) return `engine ${engine} idle, fence ${e.lastSubmittedFence} not yet reported complete`;
    return `engine ${engine} idle, waiting for work (fence ${e?.lastCompletedFence ?? 0} done)`;
  }

  /** Where the DDI frame points: its first line, or once it returned, its `return` (returnSite.ts). */
  private ddiLine(call: DdiCallState, returned: boolean): { file: string; line: number; column: number } | undefined {
    const ddi = this.from.machine().kernel.ddi;
    if (returned) {
      const map = ddi.sourceMap;
      if (map) this.returnSites ??= new ReturnSites(map);
      const at = this.returnSites?.of(ddi.functionOf?.(call.ddi));
      if (at) return at;
    }
    return ddi.definitionOf(call.ddi);
  }

  private callScopes(call: DdiCallState, live: boolean): ScopeInfo[] {
    const args = call.args as Record<string, unknown>;
    const vars: VarNode[] = Object.keys(args).map((k) => toVar(k, args[k], args, this.from.reg, k, live));
    const scopes: ScopeInfo[] = [{ name: `Arguments (${call.ddi})`, presentationHint: 'arguments', expensive: false, vars }];
    if (call.status !== undefined || call.result !== undefined) {
      scopes.push({
        name: 'Return value',
        presentationHint: 'locals',
        expensive: false,
        vars: [
          call.status !== undefined
            ? { name: 'status', value: `${statusName(call.status)} (${hex(call.status)})`, type: 'NTSTATUS', evaluateName: 'status' }
            : { name: 'result', value: formatValue(call.result as Value), evaluateName: 'result' },
        ],
      });
    }
    return adapterScopes(scopes);
  }

  private eventVars(e: Extract<MachineEvent, { kind: 'kernel' }>): VarNode[] {
    return [{ name: 'what', value: e.what }, { name: 'message', value: e.message }, ...childrenOf(e.data, this.from.reg, '', false)];
  }

  private scenarioSource(): SourceRef {
    return { name: basename(this.scenarioPath), path: this.scenarioPath };
  }

  /**
   * The line of the scenario step with JSON path `/workload/N` (approximate: the Nth `"op"` after
   * "workload"); a generated step (`/generate/N`) is on the line of "generate".
   */
  private stepLine(path: string): number {
    if (path.startsWith('/generate/')) return this.scenarioLines.findIndex((l) => l.includes('"generate"')) + 1 || 1;
    const m = /^\/workload\/(\d+)/.exec(path);
    const start = this.scenarioLines.findIndex((l) => l.includes('"workload"'));
    if (!m || start < 0) return 1;
    let n = Number(m[1]);
    for (let i = start + 1; i < this.scenarioLines.length; i++) {
      if (this.scenarioLines[i].includes('"op"')) {
        if (n === 0) return i + 1;
        n--;
      }
    }
    return 1;
  }
}

/** A frame's scopes: its own, then the adapter's (segments, allocations, fences), read when opened. */
function adapterScopes(first: ScopeInfo[]): ScopeInfo[] {
  return [...first, { name: 'Adapter', expensive: false, lazy: 'adapter' }];
}
