// Program mode: a `.pgasm` file assembled and run directly on the simulated GPU's paging engine,
// stopping before an instruction executes. Breakpoints go on source lines (through the
// assembler's line map) or on DMA-buffer addresses. The GPU itself (threads, registers, operands,
// memory, disassembly, console commands) is the shared GPU view; this file adds the program: its
// buffer, source lines, labels and symbols.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { samePath } from '../samePath';
import { assemble } from '../../isa/assembler';
import type { AssembleResult } from '../../isa/asmTypes';
import { decodeAll } from '../../isa/encoding';
import { DEFAULT_DMA_SIZE } from '../../isa/profile';
import { CommonBuffer, createGpu, debugAddressOfSegment, defaultGpuConfig, GpuConfig, instructionLength } from '../../sim/hw';
import type { AdapterStateResponse } from '../customRequests';
import { check, makeRule, BreakpointRule } from '../breakpoints';
import { ConsoleCommand, complete, isCommand, runCommand } from '../console';
import { compile, formatValue, UNKNOWN, Value } from '../expression';
import { gpuCommands } from '../gpu/commands';
import { GpuView, InstructionPointer } from '../gpu/view';
import type { ResolvedLaunch } from '../launch';
import { formatAddress } from '../memoryReference';
import { GPU_THREAD_BASE } from '../model';
import type {
  BreakpointResult,
  ExceptionDetails,
  FrameInfo,
  FunctionBreakpointSpec,
  RunResult,
  SourceBreakpointSpec,
  StepKind,
  StopInfo,
  StopReason,
  ThreadInfo,
  VarNode,
  SetVariableResult,
  EvaluateResult,
  CompletionItem,
} from '../model';
import type { RunControl, Target } from './target';
import { hex } from '../../isa/hex';

interface Located {
  rule: BreakpointRule;
  offset: number;
}

export class ProgramTarget implements Target {
  readonly gpu: GpuView;
  private readonly buffer: CommonBuffer;
  private readonly length: number;
  private readonly name: string;
  /** Byte offset → zero-based source line, for instruction starts. */
  private readonly lineOf = new Map<number, number>();
  private readonly starts: Set<number>;
  private readonly labels: { name: string; offset: number }[];
  private sourceRules: Located[] = [];
  private filters = new Set<string>();
  private executed = 0;
  private finishedStop = false;
  private readonly commands: ConsoleCommand[];

  static async load(config: ResolvedLaunch, ctl: RunControl): Promise<ProgramTarget> {
    const path = config.program!;
    const text = readFileSync(path, 'utf8');
    const asm = assemble(text);
    const errors = asm.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      const shown = errors.slice(0, 10).map((d) => `  ${basename(path)}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`);
      throw new Error(
        `'program': ${basename(path)} has ${errors.length} assembly error${errors.length > 1 ? 's' : ''}; fix ${errors.length > 1 ? 'them' : 'it'} first:\n${shown.join('\n')}${errors.length > 10 ? '\n  …' : ''}`,
      );
    }
    if (instructionLength(asm.bytes, asm.lines) === 0) throw new Error(`'program': ${basename(path)} has no instructions to run`);
    for (const d of asm.diagnostics.filter((x) => x.severity === 'warning')) {
      ctl.output('console', `${basename(path)}:${d.range.start.line + 1}: warning ${d.code}: ${d.message}`);
    }
    return new ProgramTarget(config, path, asm);
  }

  private constructor(private readonly config: ResolvedLaunch, private readonly path: string, private readonly asm: AssembleResult) {
    const gpuConfig: GpuConfig = defaultGpuConfig({ seed: config.seed });
    const declared = asm.segments;
    if (declared.length && !sameSegments(declared, gpuConfig)) {
      gpuConfig.segments = declared.map((s) => ({ id: s.id, name: s.name, kind: s.kind, size: s.size, cpuVisible: s.cpuVisible }));
      gpuConfig.vramBytes = declared.filter((s) => s.kind === 'memory').reduce((a, s) => a + s.size, 0) || 4096;
    }
    const hw = createGpu(gpuConfig);
    this.name = basename(path);
    // Data after the last instruction (page lists, .u32 tables) is loaded but never executed.
    this.length = instructionLength(asm.bytes, asm.lines);
    const size = Math.max(asm.dmaSize ?? DEFAULT_DMA_SIZE, asm.bytes.length);
    const buffer = hw.allocateCommonBuffer(size);
    if (!buffer) throw new Error(`'program': a ${size}-byte DMA buffer does not fit the adapter's common-buffer budget`);
    this.buffer = buffer;
    buffer.bytes.set(asm.bytes);
    hw.submit(0, { physical: buffer.physical, length: this.length, submissionId: 1 });
    for (const l of asm.lines) if (l.instruction) this.lineOf.set(l.offset, l.line);
    this.starts = new Set(decodeAll(asm.bytes, 0, this.length).map((r) => r.offset));
    this.labels = [...asm.symbols.values()]
      .filter((s) => s.kind === 'label')
      .map((s) => ({ name: s.name, offset: Number(s.value) }))
      .sort((a, b) => a.offset - b.offset);
    this.gpu = new GpuView(hw, {
      instructionPointer: (engine) => (engine === 0 ? this.instructionPointer() : undefined),
      codeRegions: () => [{ start: this.buffer.physical, length: this.length, name: this.name }],
      instructionBreakpointProblem: (address) => {
        const offset = address - this.buffer.physical;
        if (offset < 0 || offset >= this.length) return `${hex(address)} is not in the paging buffer (${hex(this.buffer.physical)}..${hex(this.buffer.physical + this.length - 1)}).`;
        return this.starts.has(offset) ? undefined : `${hex(address)} is not the start of an instruction.`;
      },
      symbolAt: (address) => {
        const off = address - this.buffer.physical;
        if (off < 0 || off >= this.length) return undefined;
        let label: string | undefined;
        for (const l of this.labels) if (l.offset <= off) label = l.name;
        return label ? `${this.name}!${label}` : this.name;
      },
      sourceAt: (address) => {
        const line = this.lineOf.get(address - this.buffer.physical);
        return line === undefined ? undefined : { source: { name: this.name, path: this.path }, line: line + 1 };
      },
      lookup: (name) => this.lookup(name),
    });
    this.commands = this.makeCommands();
  }

  // ---- threads and breakpoints ----

  threads(): ThreadInfo[] {
    return this.gpu.threads();
  }

  functionNames(): string[] {
    return [];
  }

  setSourceBreakpoints(path: string, bps: SourceBreakpointSpec[]): BreakpointResult[] {
    const mine = samePath(path, this.path);
    const kept: Located[] = [];
    const results = bps.map((bp): BreakpointResult => {
      if (!mine) return { id: bp.id, verified: false, line: bp.line, message: `Only lines of ${this.name} can hold breakpoints in this session.` };
      const entry = this.asm.lines
        .filter((l) => l.instruction && l.line >= bp.line - 1)
        .sort((a, b) => a.line - b.line || a.offset - b.offset)[0];
      if (!entry) return { id: bp.id, verified: false, line: bp.line, message: `There is no instruction at or after line ${bp.line}.` };
      try {
        kept.push({ rule: makeRule(bp), offset: entry.offset });
      } catch (e) {
        return { id: bp.id, verified: false, line: bp.line, message: (e as Error).message };
      }
      return { id: bp.id, verified: true, line: entry.line + 1, source: { name: this.name, path: this.path } };
    });
    if (mine) this.sourceRules = kept;
    return results;
  }

  breakpointLines(path: string, line: number, endLine?: number): number[] {
    if (!samePath(path, this.path)) return [];
    const last = endLine ?? line;
    return [...new Set(this.asm.lines.filter((l) => l.instruction && l.line + 1 >= line && l.line + 1 <= last).map((l) => l.line + 1))];
  }

  setFunctionBreakpoints(bps: FunctionBreakpointSpec[]): BreakpointResult[] {
    return bps.map((bp) => ({
      id: bp.id,
      verified: false,
      message: `'${bp.name}': function breakpoints name DDIs, and a .pgasm program runs without a driver. Use a line or instruction breakpoint.`,
    }));
  }

  setExceptionFilters(filters: string[]): void {
    this.filters = new Set(filters);
  }

  // ---- running ----

  start(ctl: RunControl): RunResult {
    if (this.config.stopOnEntry) return { kind: 'stopped', stop: this.makeStop('entry', 'Stopped before the first instruction.') };
    return this.run('continue', GPU_THREAD_BASE, ctl, true);
  }

  /** Offset of the next instruction (the buffer starts when the engine first steps, so before that: 0). */
  private pc(): number {
    const v = this.gpu.hw.engineView(0);
    return v.current ? v.pc : v.queued > 0 ? 0 : this.length;
  }

  private instructionPointer(): InstructionPointer {
    const pc = this.pc();
    return { address: this.buffer.physical + pc, offset: pc, submissionId: 1, pastEnd: pc >= this.length, length: this.length };
  }

  private atEnd(): boolean {
    return this.pc() >= this.length;
  }

  run(step: StepKind, threadId: number, ctl: RunControl, fromStart = false): RunResult {
    if (this.gpu.engineOf(threadId) === undefined) throw new Error(`there is no thread ${threadId}`);
    if (step === 'stepBack' || step === 'reverseContinue') throw new Error('a .pgasm program run on its own keeps no timeline: step back works in driver sessions');
    const hw = this.gpu.hw;
    this.gpu.resumed();
    if (this.finishedStop || hw.engineView(0).state === 'faulted') return this.finish();
    const single = step === 'next' || step === 'stepIn';
    let first = !fromStart;
    for (let n = 0; ; n++) {
      if (this.atEnd()) {
        if (single && n > 0) {
          this.finishedStop = true;
          return { kind: 'stopped', stop: this.makeStop('step', 'The paging buffer is complete.') };
        }
        return this.finish();
      }
      if (!first) {
        const hit = this.breakpointAt(this.pc(), ctl);
        if (hit) return { kind: 'stopped', stop: hit };
      }
      first = false;
      if (single && n > 0) return { kind: 'stopped', stop: this.makeStop('step') };
      if ((n & 255) === 255 && ctl.pauseRequested()) return { kind: 'stopped', stop: this.makeStop('pause') };
      const outcome = hw.step(0);
      if (outcome === 'executed') {
        this.executed++;
        const watched = this.gpu.data.active ? this.gpu.data.afterStep() : undefined;
        if (watched) {
          const w = watched.writes[0];
          const by = w?.instruction !== undefined ? `${this.instructionText(w.instruction - this.buffer.physical)} at ${this.where(w.instruction - this.buffer.physical)}` : 'an instruction';
          const text = `${watched.labels.join(', ')} ${w?.access === 'read' ? 'read' : 'written'} by ${by}${w ? ` (${w.length} bytes at ${hex(w.debugAddress)})` : ''}`;
          const stop = this.makeStop('data breakpoint', watched.error ? `${text}\n${watched.error}` : text);
          stop.hitBreakpointIds = watched.ids;
          return { kind: 'stopped', stop };
        }
        continue;
      }
      if (outcome === 'faulted') {
        const f = hw.engineView(0).fault!;
        const info: ExceptionDetails = {
          exceptionId: `gpuFault.${f.cause}`,
          description: `GPU fault (${f.cause}) at ${this.name}+${hex(f.offset)}: ${f.message}`,
          breakMode: 'always',
          details: { message: f.message, typeName: 'GPU fault', stackTrace: `${f.instruction}\n  at ${this.where(f.offset)}` },
        };
        if (this.filters.has('gpuFault')) return { kind: 'stopped', stop: this.makeStop('exception', info.description, info) };
        return { kind: 'terminated', message: info.description, exitCode: 1, category: 'important' };
      }
      if (outcome === 'waiting') {
        const pc = this.pc();
        const text = this.instructionText(pc);
        const info: ExceptionDetails = {
          exceptionId: 'tdr',
          description: `TDR: GPU paging engine 0 waits forever at ${this.name}+${hex(pc)} (${text}); nothing in this program writes the value it waits for. Write it to memory and continue, or fix the program.`,
          breakMode: 'always',
          details: { message: `waiting on: ${text}`, typeName: 'Timeout detection and recovery' },
        };
        if (this.filters.has('tdr')) return { kind: 'stopped', stop: this.makeStop('exception', info.description, info) };
        return { kind: 'terminated', message: info.description, exitCode: 1, category: 'important' };
      }
      return this.finish();
    }
  }

  private finish(): RunResult {
    const hw = this.gpu.hw;
    const v = hw.engineView(0);
    if (v.state === 'faulted' && v.fault) {
      return { kind: 'terminated', message: `The paging engine faulted: ${v.fault.message}`, exitCode: 1, category: 'important' };
    }
    return {
      kind: 'terminated',
      message: `${this.name} finished: ${this.executed} instruction${this.executed === 1 ? '' : 's'} in ${hw.now} ns of GPU time; paging fence ${hex(v.pagingFence)}.`,
      exitCode: 0,
      category: 'console',
    };
  }

  private breakpointAt(offset: number, ctl: RunControl): StopInfo | undefined {
    const log = (text: string): void => ctl.output('console', text);
    const ids: number[] = [];
    let error: string | undefined;
    for (const b of this.sourceRules) {
      if (b.offset !== offset) continue;
      const r = check(b.rule, (name) => this.gpu.lookup(name));
      if (r.stop) {
        ids.push(b.rule.id);
        error ??= r.error;
      } else if (r.log !== undefined) log(r.log);
    }
    const hits = ids.length ? { ids, error, reason: 'breakpoint' as const } : { ...this.gpu.instructionHits(this.buffer.physical + offset, 0, log), reason: 'instruction breakpoint' as const };
    if (!hits.ids.length) return undefined;
    const stop = this.makeStop(hits.reason, hits.error);
    stop.hitBreakpointIds = hits.ids;
    return stop;
  }

  private makeStop(reason: StopReason, text?: string, exception?: ExceptionDetails): StopInfo {
    const threadId = GPU_THREAD_BASE;
    const stop: StopInfo = {
      reason,
      threadId,
      snapshot: { threads: this.threads(), frames: { [threadId]: this.frames() } },
    };
    if (text) {
      stop.text = text;
      stop.description = reason === 'exception' ? 'Paused on GPU exception' : text;
    }
    if (exception) stop.exception = exception;
    const changed = this.gpu.takeWrites();
    if (changed) stop.memoryChanged = changed;
    return stop;
  }

  // ---- stack, scopes, variables ----

  private where(offset: number): string {
    const line = this.lineOf.get(offset);
    return line === undefined ? `${this.name}+${hex(offset)}` : `${this.name}:${line + 1}`;
  }

  private instructionText(offset: number): string {
    return this.gpu.instructionText(this.buffer.physical + offset);
  }

  private frames(): FrameInfo[] {
    const pc = this.pc();
    const source = { name: this.name, path: this.path };
    const ip = formatAddress(this.buffer.physical + pc);
    if (pc >= this.length) {
      const last = this.asm.lines.filter((l) => l.instruction).at(-1);
      return [
        {
          name: `end of paging buffer (${this.executed} instructions executed)`,
          source,
          line: (last?.line ?? 0) + 1,
          column: 1,
          instructionPointerReference: ip,
          scopes: this.scopes(),
        },
      ];
    }
    const line = this.lineOf.get(pc);
    // An instruction no line of the file made (the program jumped into data): the buffer as a document.
    const at = line === undefined ? this.gpu.bufferLocation(this.instructionPointer(), 0) : { source, line: line + 1 };
    return [
      {
        name: `${this.instructionText(pc)}  [dma+${hex(pc)}]`,
        source: at?.source,
        line: at?.line ?? 0,
        column: 1,
        instructionPointerReference: ip,
        scopes: this.scopes(),
      },
      {
        name: `paging buffer ${this.name} (submission 1, ${this.length} bytes at ${hex(this.buffer.physical)})`,
        line: 0,
        column: 0,
        presentationHint: 'label',
        scopes: [],
      },
    ];
  }

  private scopes(): FrameInfo['scopes'] {
    const scopes = this.gpu.scopes(0);
    if (this.asm.symbols.size) scopes.push({ name: 'Symbols', expensive: false, lazy: 'symbols' });
    scopes.push({ name: 'Adapter', expensive: true, lazy: 'adapter' });
    return scopes;
  }

  vars(key: string): VarNode[] {
    if (key === 'symbols') {
      return [...this.asm.symbols.values()].map((s) => {
        if (s.kind === 'label') {
          const a = this.buffer.physical + Number(s.value);
          return { name: s.name, value: `dma+${hex(s.value)} (${hex(a)})`, type: 'label', memoryReference: formatAddress(a), evaluateName: s.name };
        }
        if (s.kind === 'segment') return { name: s.name, value: `segment ${s.value}`, type: 'segment', memoryReference: formatAddress(debugAddressOfSegment(Number(s.value))) };
        return { name: s.name, value: hex(s.value), type: 'constant', evaluateName: s.name };
      });
    }
    if (key === 'adapter') {
      const hw = this.gpu.hw;
      const usage = hw.commonBufferUsage();
      const dummy = hw.dummyPageAccesses();
      const res = hw.residentBytes();
      return [
        {
          name: 'segments',
          value: `${hw.segments.length} segments`,
          children: hw.segments.map((s) => ({
            name: s.name,
            value: `${s.kind}, ${s.size / 1024 / 1024} MiB${s.cpuVisible ? ', CPU-visible' : ''}`,
            memoryReference: formatAddress(debugAddressOfSegment(s.id)),
            children: [
              { name: 'id', value: String(s.id) },
              { name: 'kind', value: s.kind },
              { name: 'size', value: hex(s.size) },
              { name: 'cpuVisible', value: String(s.cpuVisible) },
              ...(s.vramBase !== undefined ? [{ name: 'vramBase', value: hex(s.vramBase) }] : []),
              ...(s.barBase !== undefined ? [{ name: 'barBase', value: hex(s.barBase) }] : []),
            ],
          })),
        },
        { name: 'commonBuffers', value: `${usage.buffers} buffers, ${usage.used} of ${usage.budget} bytes` },
        { name: 'dummyPageAccesses', value: String(dummy.count) },
        { name: 'swizzlingRanges', value: `${hw.swizzlingRanges().length} in use of ${hw.config.swizzlingRanges}` },
        { name: 'residentBytes', value: `VRAM ${res.vram}, system ${res.system}` },
      ];
    }
    throw new Error(`unknown variables key ${key}`);
  }

  setVariable(key: string, value: string): SetVariableResult {
    if (!GpuView.isOperandKey(key)) throw new Error('this variable cannot be changed');
    return this.gpu.setOperand(key, value, (name) => this.gpu.lookup(name));
  }

  // ---- evaluate ----

  /** The program's own names (the GPU view adds the engine's registers). */
  private lookup(name: string): Value | typeof UNKNOWN {
    switch (name) {
      case 'dma':
        return this.buffer.physical;
      case 'dmaLength':
        return this.length;
      case 'executed':
        return this.executed;
    }
    const sym = this.asm.symbols.get(name);
    if (sym) {
      if (sym.kind === 'label') return this.buffer.physical + Number(sym.value);
      if (sym.kind === 'segment') return debugAddressOfSegment(Number(sym.value));
      return sym.value <= BigInt(Number.MAX_SAFE_INTEGER) && sym.value >= 0n ? Number(sym.value) : sym.value;
    }
    const seg = this.gpu.hw.segments.find((s) => s.name === name);
    if (seg) return debugAddressOfSegment(seg.id);
    return UNKNOWN;
  }

  private names(): string[] {
    return [...this.gpu.registerNames(), 'dma', 'dmaLength', 'executed', ...this.asm.symbols.keys(), ...this.gpu.hw.segments.map((s) => s.name)];
  }

  evaluate(expression: string, _context: string | undefined, threadId: number | undefined): EvaluateResult {
    if (isCommand(expression)) return { result: runCommand(this.commands, expression) };
    const engine = this.gpu.engineOf(threadId) ?? 0;
    const v = compile(expression).evaluate((name) => this.gpu.lookup(name, engine));
    const out: EvaluateResult = { result: formatValue(v), type: typeof v === 'bigint' ? 'u64' : typeof v };
    const name = expression.trim();
    const sym = this.asm.symbols.get(name);
    if ((sym && sym.kind !== 'constant') || name === 'address' || name === 'dma' || this.gpu.hw.segments.some((s) => s.name === name)) {
      if (typeof v === 'number') out.memoryReference = formatAddress(v);
    }
    return out;
  }

  completions(text: string, column: number): CompletionItem[] {
    return complete(this.commands, this.names(), text, column);
  }

  private makeCommands(): ConsoleCommand[] {
    const gpu = gpuCommands(this.gpu);
    return [
      gpu.segments,
      {
        name: 'alloc',
        args: 'N',
        help: 'An allocation by handle (allocations exist when a driver runs; a program has none).',
        run: () => 'A .pgasm program runs without the video memory manager, so there are no allocations. Launch a driver to see them.',
      },
      gpu.gart,
      gpu.fences,
      {
        name: 'pagingqueue',
        args: '',
        help: 'What each engine is running and has queued.',
        run: () =>
          this.threads()
            .map((t, i) => {
              const v = this.gpu.hw.engineView(i);
              return `engine ${i}: ${v.state}${v.current ? `, submission ${v.current.submissionId} at +${hex(v.pc)} of ${v.current.length} bytes` : ''}, ${v.queued} queued`;
            })
            .join('\n'),
      },
      gpu.pgasm,
      gpu.db,
      gpu.regs,
    ];
  }

  adapterState(): AdapterStateResponse {
    const hw = this.gpu.hw;
    return {
      time: hw.now,
      segments: hw.segments.map((s) => ({
        id: s.id,
        name: s.name,
        kind: s.kind,
        size: s.size,
        used: 0,
        cpuVisible: s.cpuVisible,
        allocations: 0,
        resident: 0,
        memoryReference: formatAddress(debugAddressOfSegment(s.id)),
      })),
      allocations: [],
      fences: this.threads().map((t, i) => ({ name: `engine ${i} paging fence`, value: hw.engineView(i).pagingFence.toString() })),
      pagingQueue: [
        {
          fenceValue: '1',
          operation: `${this.name} (${this.length} bytes)`,
          state: this.atEnd() ? 'done' : this.executed > 0 ? 'running' : 'queued',
        },
      ],
    };
  }
}

function sameSegments(declared: readonly { id: number; name: string; size: number }[], config: GpuConfig): boolean {
  if (declared.length !== config.segments.length) return false;
  return declared.every((d) => config.segments.some((s) => s.id === d.id && s.name === d.name && s.size === d.size));
}
