// Program mode: a `.pgasm` file assembled and run directly on the simulated GPU's paging engine,
// one thread per engine, stopping before an instruction executes. Breakpoints go on source lines
// (through the assembler's line map) or on DMA-buffer addresses.

import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { assemble } from '../../isa/assembler';
import type { AssembleResult } from '../../isa/asmTypes';
import { decode, decodeAll, encode, OperandValue } from '../../isa/encoding';
import { Location, LocationSpace, PageListBase } from '../../isa/opcodes';
import { DEFAULT_DMA_SIZE } from '../../isa/profile';
import {
  CommonBuffer,
  createGpu,
  debugAddressOfSegment,
  defaultGpuConfig,
  formatInstructionAt,
  formatLocation,
  Gpu,
  GpuConfig,
  HwEvent,
  instructionLength,
} from '../../sim/hw';
import type { AdapterStateResponse } from '../customRequests';
import { check, makeRule, BreakpointRule } from '../breakpoints';
import { ConsoleCommand, complete, gartCommand, hexDumpCommand, isCommand, numberArg, runCommand } from '../console';
import { disassemble as disassembleRange, DisassemblyContext } from '../disassembly';
import { compile, ExpressionError, formatValue, UNKNOWN, Value } from '../expression';
import type { ResolvedLaunch } from '../launch';
import { formatAddress } from '../memoryReference';
import type {
  BreakpointResult,
  DisassembledInstruction,
  ExceptionDetails,
  FrameInfo,
  FunctionBreakpointSpec,
  InstructionBreakpointSpec,
  RunResult,
  SourceBreakpointSpec,
  StepKind,
  StopInfo,
  StopReason,
  ThreadInfo,
  VarNode,
  WorkerResults,
} from '../runtime/protocol';
import { GPU_THREAD_BASE, RunControl, Target } from './target';

const hex = (n: number | bigint): string => '0x' + n.toString(16);

function samePath(a: string, b: string): boolean {
  const na = resolve(a);
  const nb = resolve(b);
  return process.platform === 'win32' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

interface Located {
  rule: BreakpointRule;
  offset: number;
}

export class ProgramTarget implements Target {
  private readonly gpu: Gpu;
  private readonly buffer: CommonBuffer;
  private readonly length: number;
  private readonly name: string;
  /** Byte offset → zero-based source line, for instruction starts. */
  private readonly lineOf = new Map<number, number>();
  private readonly starts: Set<number>;
  private readonly labels: { name: string; offset: number }[];
  private sourceRules: Located[] = [];
  private instructionRules: Located[] = [];
  private filters = new Set<string>();
  private executed = 0;
  private finishedStop = false;
  private writes: { address: number; length: number }[] = [];
  private lastStop: StopInfo | undefined;
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
    this.gpu = createGpu(gpuConfig);
    this.name = basename(path);
    // Data after the last instruction (page lists, .u32 tables) is loaded but never executed.
    this.length = instructionLength(asm.bytes, asm.lines);
    const size = Math.max(asm.dmaSize ?? DEFAULT_DMA_SIZE, asm.bytes.length);
    const buffer = this.gpu.allocateCommonBuffer(size);
    if (!buffer) throw new Error(`'program': a ${size}-byte DMA buffer does not fit the adapter's common-buffer budget`);
    this.buffer = buffer;
    buffer.bytes.set(asm.bytes);
    this.gpu.submit(0, { physical: buffer.physical, length: this.length, submissionId: 1 });
    for (const l of asm.lines) if (l.instruction) this.lineOf.set(l.offset, l.line);
    this.starts = new Set(decodeAll(asm.bytes, 0, this.length).map((r) => r.offset));
    this.labels = [...asm.symbols.values()]
      .filter((s) => s.kind === 'label')
      .map((s) => ({ name: s.name, offset: Number(s.value) }))
      .sort((a, b) => a.offset - b.offset);
    this.gpu.onEvent((ev: HwEvent) => {
      if (ev.kind === 'write' && this.writes.length < 64) this.writes.push({ address: ev.debugAddress, length: ev.length });
    });
    this.commands = this.makeCommands();
  }

  // ---- threads and breakpoints ----

  threads(): ThreadInfo[] {
    const out: ThreadInfo[] = [];
    for (let i = 0; i < this.gpu.config.engines; i++) out.push({ id: GPU_THREAD_BASE + i, name: `GPU paging engine ${i}` });
    return out;
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

  setInstructionBreakpoints(bps: InstructionBreakpointSpec[]): BreakpointResult[] {
    const kept: Located[] = [];
    const base = this.buffer.physical;
    const results = bps.map((bp): BreakpointResult => {
      const offset = bp.address - base;
      if (offset < 0 || offset >= this.length) {
        return { id: bp.id, verified: false, message: `${hex(bp.address)} is not in the paging buffer (${hex(base)}..${hex(base + this.length - 1)}).` };
      }
      if (!this.starts.has(offset)) return { id: bp.id, verified: false, message: `${hex(bp.address)} is not the start of an instruction.` };
      try {
        kept.push({ rule: makeRule(bp), offset });
      } catch (e) {
        return { id: bp.id, verified: false, message: (e as Error).message };
      }
      const line = this.lineOf.get(offset);
      return { id: bp.id, verified: true, instructionReference: formatAddress(bp.address), line: line === undefined ? undefined : line + 1, source: line === undefined ? undefined : { name: this.name, path: this.path } };
    });
    this.instructionRules = kept;
    return results;
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
    const v = this.gpu.engineView(0);
    return v.current ? v.pc : v.queued > 0 ? 0 : this.length;
  }

  private atEnd(): boolean {
    return this.pc() >= this.length;
  }

  run(step: StepKind, threadId: number, ctl: RunControl, fromStart = false): RunResult {
    if (threadId < GPU_THREAD_BASE || threadId >= GPU_THREAD_BASE + this.gpu.config.engines) throw new Error(`there is no thread ${threadId}`);
    this.writes = [];
    if (this.finishedStop || this.gpu.engineView(0).state === 'faulted') return this.finish();
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
      const outcome = this.gpu.step(0);
      if (outcome === 'executed') {
        this.executed++;
        continue;
      }
      if (outcome === 'faulted') {
        const f = this.gpu.engineView(0).fault!;
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
    const v = this.gpu.engineView(0);
    if (v.state === 'faulted' && v.fault) {
      return { kind: 'terminated', message: `The paging engine faulted: ${v.fault.message}`, exitCode: 1, category: 'important' };
    }
    return {
      kind: 'terminated',
      message: `${this.name} finished: ${this.executed} instruction${this.executed === 1 ? '' : 's'} in ${this.gpu.now} ns of GPU time; paging fence ${hex(v.pagingFence)}.`,
      exitCode: 0,
      category: 'console',
    };
  }

  private breakpointAt(offset: number, ctl: RunControl): StopInfo | undefined {
    for (const [list, reason] of [
      [this.sourceRules, 'breakpoint'],
      [this.instructionRules, 'instruction breakpoint'],
    ] as const) {
      const hits: number[] = [];
      let error: string | undefined;
      for (const b of list) {
        if (b.offset !== offset) continue;
        const r = check(b.rule, (name) => this.lookup(name));
        if (r.stop) {
          hits.push(b.rule.id);
          error ??= r.error;
        } else if (r.log !== undefined) ctl.output('console', r.log);
      }
      if (hits.length) {
        const stop = this.makeStop(reason as StopReason, error);
        stop.hitBreakpointIds = hits;
        return stop;
      }
    }
    return undefined;
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
    if (this.writes.length) stop.memoryChanged = this.writes.map((w) => ({ memoryReference: formatAddress(w.address), offset: 0, count: w.length }));
    this.lastStop = stop;
    return stop;
  }

  // ---- stack, scopes, variables ----

  private where(offset: number): string {
    const line = this.lineOf.get(offset);
    return line === undefined ? `${this.name}+${hex(offset)}` : `${this.name}:${line + 1}`;
  }

  private textCache = { offset: -1, executed: -1, text: '' };

  /** The instruction at `offset` as text; cached until the engine executes again (a stop asks twice). */
  private instructionText(offset: number): string {
    const c = this.textCache;
    if (c.offset === offset && c.executed === this.executed) return c.text;
    c.offset = offset;
    c.executed = this.executed;
    c.text = this.formatAt(offset);
    return c.text;
  }

  private formatAt(offset: number): string {
    return formatInstructionAt(this.buffer.bytes, offset, this.length, (id) => this.segmentName(id));
  }

  private segmentName(id: number): string | undefined {
    return this.gpu.segments.find((s) => s.id === id)?.name;
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
          scopes: this.scopes(pc),
        },
      ];
    }
    const line = this.lineOf.get(pc);
    return [
      {
        name: `${this.instructionText(pc)}  [dma+${hex(pc)}]`,
        source: line === undefined ? undefined : source,
        line: (line ?? 0) + 1,
        column: 1,
        instructionPointerReference: ip,
        scopes: this.scopes(pc),
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

  private scopes(pc: number): FrameInfo['scopes'] {
    const scopes: FrameInfo['scopes'] = [{ name: 'Registers', presentationHint: 'registers', expensive: false, vars: this.registers() }];
    if (pc < this.length) scopes.push({ name: 'Instruction', presentationHint: 'locals', expensive: false, vars: this.operandVars(pc) });
    if (this.asm.symbols.size) scopes.push({ name: 'Symbols', expensive: false, lazy: 'symbols' });
    scopes.push({ name: 'Adapter', expensive: true, lazy: 'adapter' });
    return scopes;
  }

  private registers(): VarNode[] {
    const v = this.gpu.engineView(0);
    const pc = this.pc();
    const cur = v.current;
    const vars: VarNode[] = [
      { name: 'state', value: v.state, type: 'EngineState', evaluateName: 'state' },
      { name: 'pc', value: hex(pc), type: 'offset', evaluateName: 'pc', memoryReference: formatAddress(this.buffer.physical + pc) },
      { name: 'instruction', value: pc < this.length ? this.instructionText(pc) : '(end of buffer)', type: 'pgasm' },
      { name: 'pagingFence', value: hex(v.pagingFence), type: 'u64', evaluateName: 'pagingFence' },
      { name: 'time', value: `${this.gpu.now} ns`, type: 'ns', evaluateName: 'time' },
      { name: 'busyUntil', value: `${v.busyUntil} ns`, type: 'ns' },
      {
        name: 'submission',
        value: cur ? `#${cur.submissionId}: ${cur.length} bytes at ${hex(cur.physical)}` : 'none',
        memoryReference: cur ? formatAddress(cur.physical) : undefined,
      },
      { name: 'queued', value: String(v.queued), type: 'count' },
    ];
    if (v.fault) {
      vars.push({
        name: 'fault',
        value: `${v.fault.cause}: ${v.fault.message}`,
        type: 'FaultRecord',
        children: [
          { name: 'cause', value: v.fault.cause },
          { name: 'message', value: v.fault.message },
          { name: 'instruction', value: v.fault.instruction },
          { name: 'address', value: hex(v.fault.address), memoryReference: formatAddress(v.fault.address) },
          { name: 'time', value: `${v.fault.time} ns` },
        ],
      });
    }
    return vars;
  }

  /** Debug address a location points at, when it is a plain one. */
  private locationAddress(loc: Location): number | undefined {
    if (loc.space === LocationSpace.Segment) return debugAddressOfSegment(loc.sub, loc.address);
    if (loc.space === LocationSpace.Physical) return loc.address;
    if (loc.space === LocationSpace.Mdl && loc.sub === PageListBase.DmaBuffer) return this.buffer.physical + loc.address;
    if (loc.space === LocationSpace.Mdl) return loc.address;
    return undefined;
  }

  private operandVars(pc: number): VarNode[] {
    const r = decode(this.buffer.bytes, pc, this.length);
    if (!r.ok) return [{ name: 'invalid', value: r.reason }];
    const { op, flags, operands } = r.instr;
    const vars: VarNode[] = [{ name: 'opcode', value: `${op.mnemonic} (${hex(op.code)})`, type: 'u8' }];
    op.operands.forEach((o, i) => {
      const v = operands[i];
      if (typeof v === 'object') {
        const addr = this.locationAddress(v);
        vars.push({
          name: o.name,
          value: formatLocation(v, (id) => this.segmentName(id)),
          type: 'loc',
          memoryReference: addr === undefined ? undefined : formatAddress(addr),
          children: [
            { name: 'space', value: LocationSpace[v.space] ?? String(v.space) },
            { name: v.space === LocationSpace.Segment ? 'segment' : 'sub', value: v.space === LocationSpace.Segment ? `${this.segmentName(v.sub) ?? '?'} (${v.sub})` : String(v.sub) },
            { name: 'address', value: hex(v.address), settable: `loc:${pc}:${i}`, memoryReference: addr === undefined ? undefined : formatAddress(addr) },
            ...(v.space === LocationSpace.Mdl ? [{ name: 'byteOffset', value: hex(v.aux) }] : []),
          ],
        });
      } else {
        vars.push({ name: o.name, value: typeof v === 'bigint' ? hex(v) : o.kind === 'seg' ? `${this.segmentName(v) ?? '?'} (${v})` : hex(v), type: o.kind, settable: `op:${pc}:${i}` });
      }
    });
    const names = op.flags.filter((f) => flags & (1 << f.bit)).map((f) => f.name);
    if (op.flags.length) vars.push({ name: 'flags', value: names.length ? names.join(' | ') : '0', type: 'flags' });
    return vars;
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
      const usage = this.gpu.commonBufferUsage();
      const dummy = this.gpu.dummyPageAccesses();
      const res = this.gpu.residentBytes();
      return [
        {
          name: 'segments',
          value: `${this.gpu.segments.length} segments`,
          children: this.gpu.segments.map((s) => ({
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
        { name: 'swizzlingRanges', value: `${this.gpu.swizzlingRanges().length} in use of ${this.gpu.config.swizzlingRanges}` },
        { name: 'residentBytes', value: `VRAM ${res.vram}, system ${res.system}` },
      ];
    }
    throw new Error(`unknown variables key ${key}`);
  }

  setVariable(key: string, value: string): WorkerResults['setVariable'] {
    const m = /^(op|loc):(\d+):(\d+)$/.exec(key);
    if (!m) throw new Error('this variable cannot be changed');
    const pc = Number(m[2]);
    const index = Number(m[3]);
    const r = decode(this.buffer.bytes, pc, this.length);
    if (!r.ok) throw new Error('the instruction is no longer valid');
    const v = compile(value).evaluate((name) => this.lookup(name));
    const o = r.instr.op.operands[index];
    const operands: OperandValue[] = [...r.instr.operands];
    let n: number | bigint;
    if (typeof v === 'bigint') n = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) n = v;
    else throw new ExpressionError(`'${value}' is not an integer`);
    if (n < 0) throw new ExpressionError('the value must not be negative');
    if (m[1] === 'loc') {
      const loc = { ...(operands[index] as Location) };
      loc.address = Number(n);
      operands[index] = loc;
    } else if (o.kind === 'u64') operands[index] = BigInt(n);
    else {
      const max = o.kind === 'u8' ? 0xff : o.kind === 'u16' || o.kind === 'seg' ? 0xffff : o.kind === 'u32' ? 0xffffffff : Number.MAX_SAFE_INTEGER;
      if (Number(n) > max) throw new ExpressionError(`${o.name} is a ${o.kind}: at most ${hex(max)}`);
      operands[index] = Number(n);
    }
    const bytes = encode({ op: r.instr.op, flags: r.instr.flags, operands });
    this.gpu.writePhysical(this.buffer.physical + pc, bytes);
    this.textCache.offset = -1;
    return { value: m[1] === 'loc' ? hex(Number(n)) : typeof n === 'bigint' ? hex(n) : hex(n), memoryChanged: true };
  }

  // ---- memory and disassembly ----

  readMemory(address: number, count: number): { bytes: Uint8Array; unreadable: number } {
    const r = this.gpu.debugRead(address, count);
    const firstBad = r.unreadable.length ? r.unreadable[0].address - address : count;
    if (firstBad >= count) return { bytes: r.bytes, unreadable: 0 };
    return { bytes: r.bytes.slice(0, firstBad), unreadable: count - firstBad };
  }

  writeMemory(address: number, data: Uint8Array): number {
    this.textCache.offset = -1;
    const r = this.gpu.debugWrite(address, data);
    if (r.written === 0 && data.length) throw new Error(`${hex(address)} is not writable memory in the debug address space`);
    return r.written;
  }

  private disassemblyContext(): DisassemblyContext {
    const maxSeg = Math.max(...this.gpu.segments.map((s) => s.id));
    return {
      read: (address, length) => {
        const r = this.gpu.debugRead(address, length);
        const bad = r.unreadable.map((u) => [u.address - address, u.address - address + u.length]);
        return { bytes: r.bytes, readable: (i) => !bad.some(([a, b]) => i >= a && i < b), allReadable: bad.length === 0 };
      },
      regions: [{ start: this.buffer.physical, length: this.length, name: this.name }],
      segmentName: (id) => this.segmentName(id),
      symbolAt: (address) => {
        const off = address - this.buffer.physical;
        if (off >= 0 && off < this.length) {
          let label: string | undefined;
          for (const l of this.labels) if (l.offset <= off) label = l.name;
          return label ? `${this.name}!${label}` : this.name;
        }
        const seg = this.gpu.segments.find((s) => address >= debugAddressOfSegment(s.id) && address < debugAddressOfSegment(s.id) + s.size);
        return seg ? `segment ${seg.name}` : undefined;
      },
      sourceAt: (address) => {
        const line = this.lineOf.get(address - this.buffer.physical);
        return line === undefined ? undefined : { source: { name: this.name, path: this.path }, line: line + 1 };
      },
      addressLimit: debugAddressOfSegment(maxSeg + 1),
    };
  }

  disassemble(address: number, instructionOffset: number, count: number, resolveSymbols: boolean): DisassembledInstruction[] {
    return disassembleRange(this.disassemblyContext(), address, instructionOffset, count, resolveSymbols);
  }

  // ---- evaluate ----

  private lookup(name: string): Value | typeof UNKNOWN {
    const v = this.gpu.engineView(0);
    switch (name) {
      case 'pc':
        return this.pc();
      case 'address':
        return this.buffer.physical + this.pc();
      case 'state':
        return v.state;
      case 'pagingFence':
        return v.pagingFence;
      case 'time':
        return this.gpu.now;
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
    const seg = this.gpu.segments.find((s) => s.name === name);
    if (seg) return debugAddressOfSegment(seg.id);
    return UNKNOWN;
  }

  private names(): string[] {
    return ['pc', 'address', 'state', 'pagingFence', 'time', 'dma', 'dmaLength', 'executed', ...this.asm.symbols.keys(), ...this.gpu.segments.map((s) => s.name)];
  }

  evaluate(expression: string, _context: string | undefined, _threadId: number | undefined): WorkerResults['evaluate'] {
    if (isCommand(expression)) return { result: runCommand(this.commands, expression) };
    const v = compile(expression).evaluate((name) => this.lookup(name));
    const out: WorkerResults['evaluate'] = { result: formatValue(v), type: typeof v === 'bigint' ? 'u64' : typeof v };
    const name = expression.trim();
    const sym = this.asm.symbols.get(name);
    if ((sym && sym.kind !== 'constant') || name === 'address' || name === 'dma' || this.gpu.segments.some((s) => s.name === name)) {
      if (typeof v === 'number') out.memoryReference = formatAddress(v);
    }
    return out;
  }

  completions(text: string, column: number): WorkerResults['completions'] {
    return complete(this.commands, this.names(), text, column);
  }

  private makeCommands(): ConsoleCommand[] {
    return [
      {
        name: 'segments',
        args: '',
        help: 'The adapter\'s segments and where they are in the debug address space.',
        run: () =>
          this.gpu.segments
            .map((s) => `${String(s.id).padStart(2)} ${s.name.padEnd(8)} ${s.kind.padEnd(8)} ${hex(s.size).padStart(11)} bytes${s.cpuVisible ? ' cpu-visible' : ''}  at ${formatAddress(debugAddressOfSegment(s.id))}`)
            .join('\n'),
      },
      {
        name: 'alloc',
        args: 'N',
        help: 'An allocation by handle (allocations exist when a driver runs; a program has none).',
        run: () => 'A .pgasm program runs without the video memory manager, so there are no allocations. Launch a driver to see them.',
      },
      gartCommand(this.gpu),
      {
        name: 'fences',
        args: '',
        help: 'Each engine\'s paging fence.',
        run: () => this.threads().map((t, i) => `engine ${i}: paging fence ${hex(this.gpu.engineView(i).pagingFence)}`).join('\n'),
      },
      {
        name: 'pagingqueue',
        args: '',
        help: 'What each engine is running and has queued.',
        run: () =>
          this.threads()
            .map((t, i) => {
              const v = this.gpu.engineView(i);
              return `engine ${i}: ${v.state}${v.current ? `, submission ${v.current.submissionId} at +${hex(v.pc)} of ${v.current.length} bytes` : ''}, ${v.queued} queued`;
            })
            .join('\n'),
      },
      {
        name: 'pgasm',
        args: 'ADDR [COUNT]',
        help: 'Disassembles COUNT (default 16) instructions at ADDR (a number, a label or a segment name).',
        run: (argv) => {
          const addr = this.addressArg(argv[0]);
          const count = Math.min(numberArg(argv, 1, 'COUNT', 16), 1000);
          return this.disassemble(addr, 0, count, true)
            .map((i) => `${i.symbol ? i.symbol + ':\n' : ''}  ${i.address}  ${(i.instructionBytes ?? '').slice(0, 35).padEnd(35)}  ${i.instruction}`)
            .join('\n');
        },
      },
      hexDumpCommand(
        (text) => this.addressArg(text),
        (address, count) => this.readMemory(address, count),
      ),
      {
        name: 'regs',
        args: '',
        help: 'The paging engine\'s registers.',
        run: () => this.registers().map((v) => `${v.name.padEnd(12)} ${v.value}`).join('\n'),
      },
    ];
  }

  private addressArg(text: string | undefined): number {
    if (!text) throw new ExpressionError('missing ADDR');
    const v = compile(text).evaluate((name) => this.lookup(name));
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ExpressionError(`ADDR '${text}' is not an address`);
    return n;
  }

  adapterState(): AdapterStateResponse {
    return {
      time: this.gpu.now,
      segments: this.gpu.segments.map((s) => ({
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
      fences: this.threads().map((t, i) => ({ name: `engine ${i} paging fence`, value: this.gpu.engineView(i).pagingFence.toString() })),
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
