// The debugger's view of the simulated GPU, one for every debug target (a driver on the kernel, a
// .pgasm program on its own): the engine threads, their registers, the instruction about to run and
// its operands, instruction breakpoints, memory in the debug address space and its disassembly.
// A target tells the view only what the GPU cannot know by itself (`GpuSource`: where each engine
// runs next, which buffers hold code, names and sources); a fix here lands in both targets.

import { decode, encode, OperandValue } from '../../isa/encoding';
import { Location, LocationSpace, PageListBase } from '../../isa/opcodes';
import { debugAddressOfSegment, formatInstructionAt, formatLocation, Gpu } from '../../sim/hw';
import type { EngineView } from '../../sim/hw/types';
import { BreakpointRule, check, makeRule, wouldStop } from '../breakpoints';
import { compile, ExpressionError, MissingArgument, UNKNOWN, Value } from '../expression';
import { formatAddress } from '../memoryReference';
import { GPU_THREAD_BASE } from '../model';
import type { BreakpointResult, DisassembledInstruction, InstructionBreakpointSpec, ScopeInfo, SourceRef, ThreadInfo, VarNode, SetVariableResult } from '../model';
import { BufferDocuments } from './bufferSource';
import { DataBreakpoints, type WatchedAllocation } from './dataBreakpoints';
import { CodeRegion, disassemble, DisassemblyContext, MAX_INSTRUCTION_BYTES } from './disassembly';
import { hex } from '../../isa/hex';

/** Where an engine's instruction pointer is. */
export interface InstructionPointer {
  /** Bus address of the next instruction. */
  address: number;
  /** Its offset in the buffer being run (the `pc` register). */
  offset: number;
  submissionId: number;
  /** The engine ran the whole buffer and rests after its last instruction. */
  pastEnd?: boolean;
  /** Bytes of instructions in the buffer (its submitted length), when known: the buffer can then be shown as a document. */
  length?: number;
}

/** What a target tells the GPU view; everything else the view reads from the GPU itself. */
export interface GpuSource {
  /** Where `engine` runs next (a queued buffer counts); undefined when it has nothing to run. */
  instructionPointer(engine: number): InstructionPointer | undefined;
  /** The buffers known to hold instructions: decoded from their first byte, and named, in disassembly. */
  codeRegions(): CodeRegion[];
  /** Why an instruction breakpoint cannot go at `address`; undefined: it can. */
  instructionBreakpointProblem(address: number): string | undefined;
  /** A name for an address outside the code regions (an allocation, a label). */
  symbolAt?(address: number): string | undefined;
  /** The source line an instruction came from. */
  sourceAt?(address: number): { source: SourceRef; line: number } | undefined;
  /** What the kernel keeps per engine (fences), shown after the engine's own registers. */
  kernelRegisters?(engine: number): VarNode[];
  /** Names the target knows, for ADDR arguments and breakpoint conditions (registers are the view's). */
  lookup(name: string): Value | typeof UNKNOWN;
  /** The allocation with kernel handle `handle`, for data breakpoints on it (driver targets). */
  allocation?(handle: number): WatchedAllocation | undefined;
  /** The paging operation the instruction at a bus address belongs to, in the kernel's words (driver targets). */
  operationAt?(instruction: number): string | undefined;
  /** The user wrote memory (writeMemory, an operand changed): a target that replays its run records it. */
  debugWrote?(address: number, data: Uint8Array): void;
}

/**
 * The engine's state as a user reads it: an engine stopped inside a buffer it is running is
 * executing it (the hardware calls that `ready`: ready for its next instruction).
 */
export function engineStateName(v: Pick<EngineView, 'state' | 'current'>, hasNextInstruction: boolean): string {
  return v.state === 'ready' && (v.current || hasNextInstruction) ? 'executing' : v.state;
}

/** Registers an expression may name, and their DAP types. */
const REGISTERS = { state: 'EngineState', pc: 'offset', address: 'address', pagingFence: 'u64', time: 'ns', busyUntil: 'ns', queued: 'count' } as const;
type RegisterName = keyof typeof REGISTERS;

export class GpuView {
  private instructionRules: { rule: BreakpointRule; address: number }[] = [];
  private writes: { address: number; length: number }[] = [];
  /** Instructions read at this stop (a stop shows the same one as a frame, a register and operands). */
  private readonly read = new Map<number, { bytes: Uint8Array; text?: string }>();
  /** The buffers engines run, as documents for the GPU frames' sources. */
  private documents: BufferDocuments;
  private unsubscribe: () => void;
  /** The simulated GPU itself (another machine's after a step back: see `follow`). */
  hw: Gpu;
  /** Data breakpoints: the memory users watch, matched against every write. */
  readonly data: DataBreakpoints;

  constructor(
    hw: Gpu,
    private readonly source: GpuSource,
  ) {
    this.hw = hw;
    this.documents = this.documentsOf(hw);
    this.data = new DataBreakpoints(hw, {
      allocation: source.allocation ? (h) => source.allocation!(h) : undefined,
      operationAt: source.operationAt ? (address) => source.operationAt!(address) : undefined,
      lookup: (name, engine) => this.lookup(name, Math.max(0, engine)),
    });
    this.unsubscribe = this.listen(hw);
  }

  private documentsOf(hw: Gpu): BufferDocuments {
    return new BufferDocuments({ read: (address, length) => hw.readPhysical(address, length), segments: hw.segments });
  }

  private listen(hw: Gpu): () => void {
    return hw.onEvent((ev) => {
      if (this.data.active) this.data.onHw(ev);
      if (ev.kind !== 'write') return;
      this.noteWrite(ev.debugAddress, ev.length);
      this.read.clear();
      this.documents.changed(ev.debugAddress, ev.length);
    });
  }

  /** Shows another GPU of the same adapter from now on (time travel reached a moment on another machine). */
  follow(hw: Gpu): void {
    if (hw === this.hw) return;
    this.unsubscribe();
    this.hw = hw;
    this.read.clear();
    this.documents = this.documentsOf(hw);
    this.data.follow(hw);
    this.unsubscribe = this.listen(hw);
  }

  // ---- threads and registers ----

  get engines(): number {
    return this.hw.config.engines;
  }

  threads(): ThreadInfo[] {
    const out: ThreadInfo[] = [];
    for (let i = 0; i < this.engines; i++) out.push({ id: GPU_THREAD_BASE + i, name: `GPU paging engine ${i}` });
    return out;
  }

  /** The engine of a thread id; undefined for a thread that is not a GPU engine's. */
  engineOf(threadId: number | undefined): number | undefined {
    if (threadId === undefined) return undefined;
    const e = threadId - GPU_THREAD_BASE;
    return e >= 0 && e < this.engines ? e : undefined;
  }

  segmentName(id: number): string | undefined {
    return this.hw.segments.find((s) => s.id === id)?.name;
  }

  /** The value of register `name` of `engine`, for expressions; UNKNOWN if it is not a register. */
  registerValue(engine: number, name: string): Value | typeof UNKNOWN {
    if (!Object.prototype.hasOwnProperty.call(REGISTERS, name)) return UNKNOWN;
    const v = this.hw.engineView(engine);
    const ip = this.source.instructionPointer(engine);
    switch (name as RegisterName) {
      case 'state':
        return engineStateName(v, !!ip && !ip.pastEnd);
      case 'pc':
        return ip ? ip.offset : v.pc;
      case 'address':
        return ip ? ip.address : UNKNOWN;
      case 'pagingFence':
        return v.pagingFence;
      case 'time':
        return this.hw.now;
      case 'busyUntil':
        return v.busyUntil;
      case 'queued':
        return v.queued;
    }
  }

  registerNames(): string[] {
    return Object.keys(REGISTERS);
  }

  registers(engine: number): VarNode[] {
    const v = this.hw.engineView(engine);
    const ip = this.source.instructionPointer(engine);
    const cur = v.current;
    const reg = (name: RegisterName, value: string, extra: Partial<VarNode> = {}): VarNode => ({ name, value, type: REGISTERS[name], evaluateName: name, ...extra });
    const vars: VarNode[] = [
      reg('state', engineStateName(v, !!ip && !ip.pastEnd)),
      // The absolute address first (what the Disassembly view shows), the offset in the buffer beside it.
      reg('address', ip ? hex(ip.address) : 'none', { memoryReference: ip ? formatAddress(ip.address) : undefined }),
      reg('pc', hex(ip ? ip.offset : v.pc), { memoryReference: ip ? formatAddress(ip.address) : undefined }),
      { name: 'instruction', value: !ip ? 'none' : ip.pastEnd ? '(end of buffer)' : this.instructionText(ip.address), type: 'pgasm' },
      reg('pagingFence', hex(v.pagingFence)),
      reg('time', `${this.hw.now} ns`),
      reg('busyUntil', `${v.busyUntil} ns`),
      {
        name: 'submission',
        value: cur ? `#${cur.submissionId}: ${cur.length} bytes at ${hex(cur.physical)}` : 'none',
        memoryReference: cur ? formatAddress(cur.physical) : undefined,
      },
      reg('queued', String(v.queued)),
      ...this.kernelRegisters(engine),
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

  /** What the kernel keeps for `engine` (fences); empty for a program without a kernel. */
  kernelRegisters(engine: number): VarNode[] {
    return this.source.kernelRegisters?.(engine) ?? [];
  }

  /** The scopes every GPU frame starts with: the engine's registers, then the instruction about to run. */
  scopes(engine: number): ScopeInfo[] {
    const scopes: ScopeInfo[] = [{ name: 'Registers', presentationHint: 'registers', expensive: false, vars: this.registers(engine) }];
    const ip = this.source.instructionPointer(engine);
    if (ip && !ip.pastEnd) scopes.push({ name: 'Instruction', presentationHint: 'locals', expensive: false, vars: this.operandVars(ip) });
    return scopes;
  }

  /**
   * The buffer `ip` points into as a read-only pgasm document, and the line of the instruction (of
   * the end marker once the engine ran it all): a GPU frame's source when no file holds the code.
   */
  bufferLocation(ip: InstructionPointer, engine: number): { source: SourceRef; line: number } | undefined {
    if (ip.length === undefined || ip.length <= 0) return undefined;
    const doc = this.documents.document(ip.address - ip.offset, ip.length, ip.submissionId, engine);
    return { source: { ...doc.source }, line: ip.pastEnd ? doc.endLine : this.documents.lineOf(doc, ip.offset) };
  }

  /** A frame's source for an engine with no instruction to show: a note saying what it waits for. */
  idleLocation(engine: number, state: string): { source: SourceRef; line: number } {
    const text = [
      `; GPU paging engine ${engine}: ${state}.`,
      '; No paging buffer is queued to it. Step this thread (F10) to run until the engine executes its',
      '; next instruction; the kernel runs meanwhile, and its breakpoints may stop it first.',
      '',
    ].join('\n');
    return { source: this.documents.note(`engine ${engine} idle.pgasm`, text, `GPU paging engine ${engine} (no buffer)`), line: 1 };
  }

  /** The text of a buffer document (DAP `source`), by its sourceReference. */
  sourceText(ref: number): string {
    return this.documents.text(ref);
  }

  // ---- the instruction at an address ----

  /** Bytes an instruction at `address` may span: to the end of its code region, else the longest instruction. */
  private instructionLimit(address: number): number {
    const region = this.source.codeRegions().find((r) => address >= r.start && address < r.start + r.length);
    const end = region ? region.start + region.length : address + MAX_INSTRUCTION_BYTES;
    return Math.max(0, Math.min(end - address, MAX_INSTRUCTION_BYTES, this.hw.config.systemMemoryBytes - address));
  }

  private instruction(address: number): { bytes: Uint8Array; text?: string } {
    let r = this.read.get(address);
    if (!r) {
      const n = this.instructionLimit(address);
      r = { bytes: n > 0 ? this.hw.readPhysical(address, n) : new Uint8Array(0) };
      this.read.set(address, r);
    }
    return r;
  }

  private instructionBytes(address: number): Uint8Array {
    return this.instruction(address).bytes;
  }

  /** The instruction at bus address `address`, as pgasm. */
  instructionText(address: number): string {
    const r = this.instruction(address);
    r.text ??= this.instructionTextOf(r.bytes);
    return r.text;
  }

  /** An instruction's bytes (kept when it ran), as pgasm. */
  instructionTextOf(bytes: Uint8Array): string {
    return formatInstructionAt(bytes, 0, bytes.length, (id) => this.segmentName(id));
  }

  /** Debug address a location operand points at, when it is a plain one. */
  private locationAddress(loc: Location, bufferBase: number): number | undefined {
    if (loc.space === LocationSpace.Segment) return debugAddressOfSegment(loc.sub, loc.address);
    if (loc.space === LocationSpace.Physical) return loc.address;
    if (loc.space === LocationSpace.Mdl && loc.sub === PageListBase.DmaBuffer) return bufferBase + loc.address;
    if (loc.space === LocationSpace.Mdl) return loc.address;
    return undefined;
  }

  /** The operands of the instruction at `ip`; numbers and location addresses can be changed (setOperand). */
  operandVars(ip: InstructionPointer): VarNode[] {
    const bytes = this.instructionBytes(ip.address);
    const r = decode(bytes, 0, bytes.length);
    if (!r.ok) return [{ name: 'invalid', value: r.reason }];
    const { op, flags, operands } = r.instr;
    const base = ip.address - ip.offset;
    const at = ip.address;
    const vars: VarNode[] = [{ name: 'opcode', value: `${op.mnemonic} (${hex(op.code)})`, type: 'u8' }];
    op.operands.forEach((o, i) => {
      const v = operands[i];
      if (typeof v === 'object') {
        const addr = this.locationAddress(v, base);
        const ref = addr === undefined ? undefined : formatAddress(addr);
        vars.push({
          name: o.name,
          value: formatLocation(v, (id) => this.segmentName(id)),
          type: 'loc',
          memoryReference: ref,
          children: [
            { name: 'space', value: LocationSpace[v.space] ?? String(v.space) },
            { name: v.space === LocationSpace.Segment ? 'segment' : 'sub', value: v.space === LocationSpace.Segment ? `${this.segmentName(v.sub) ?? '?'} (${v.sub})` : String(v.sub) },
            { name: 'address', value: hex(v.address), settable: `loc:${at}:${i}`, memoryReference: ref },
            ...(v.space === LocationSpace.Mdl ? [{ name: 'byteOffset', value: hex(v.aux) }] : []),
          ],
        });
      } else {
        vars.push({ name: o.name, value: typeof v === 'bigint' ? hex(v) : o.kind === 'seg' ? `${this.segmentName(v) ?? '?'} (${v})` : hex(v), type: o.kind, settable: `op:${at}:${i}` });
      }
    });
    const names = op.flags.filter((f) => flags & (1 << f.bit)).map((f) => f.name);
    if (op.flags.length) vars.push({ name: 'flags', value: names.length ? names.join(' | ') : '0', type: 'flags' });
    return vars;
  }

  /** Whether `key` names an operand (from operandVars). */
  static isOperandKey(key: string): boolean {
    return /^(op|loc):\d+:\d+$/.test(key);
  }

  /** Re-encodes the instruction with one operand changed to `value` (an expression). */
  setOperand(key: string, value: string, lookup: (name: string) => Value | typeof UNKNOWN): SetVariableResult {
    const m = /^(op|loc):(\d+):(\d+)$/.exec(key);
    if (!m) throw new Error('this variable cannot be changed');
    const address = Number(m[2]);
    const index = Number(m[3]);
    const bytes = this.instructionBytes(address);
    const r = decode(bytes, 0, bytes.length);
    if (!r.ok) throw new Error('the instruction is no longer valid');
    const v = compile(value).evaluate(lookup);
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
    this.read.clear();
    const encoded = encode({ op: r.instr.op, flags: r.instr.flags, operands });
    this.hw.writePhysical(address, encoded);
    this.source.debugWrote?.(address, encoded);
    this.documents.changed(address, encoded.length);
    return { value: m[1] === 'loc' ? hex(Number(n)) : hex(n), memoryChanged: true };
  }

  // ---- instruction breakpoints ----

  setInstructionBreakpoints(bps: InstructionBreakpointSpec[]): BreakpointResult[] {
    const kept: { rule: BreakpointRule; address: number }[] = [];
    const results = bps.map((bp): BreakpointResult => {
      const problem = this.source.instructionBreakpointProblem(bp.address);
      if (problem) return { id: bp.id, verified: false, message: problem };
      try {
        kept.push({ rule: makeRule(bp), address: bp.address });
      } catch (e) {
        return { id: bp.id, verified: false, message: (e as Error).message };
      }
      const at = this.source.sourceAt?.(bp.address);
      return { id: bp.id, verified: true, instructionReference: formatAddress(bp.address), line: at?.line, source: at?.source };
    });
    this.instructionRules = kept;
    return results;
  }

  /**
   * The instruction breakpoints that stop before the instruction at `address` runs on `engine`
   * (with why a condition could not be evaluated, if one could not); log points go to `log`.
   */
  instructionHits(address: number, engine: number, log: (text: string) => void): { ids: number[]; error?: string } {
    const ids: number[] = [];
    let error: string | undefined;
    for (const r of this.instructionRules) {
      if (r.address !== address) continue;
      const c = check(r.rule, (name) => this.lookup(name, engine));
      if (c.stop) {
        ids.push(r.rule.id);
        error ??= c.error;
      } else if (c.log !== undefined) log(c.log);
    }
    return { ids, error };
  }

  /** Addresses with an instruction breakpoint (for reverse continue's search of the run's index). */
  instructionBreakpointAddresses(): Set<number> {
    return new Set(this.instructionRules.map((r) => r.address));
  }

  /** The instruction breakpoints at `address` whose condition holds now on `engine`, without counting a hit or logging (reverse continue). */
  instructionWouldStop(address: number, engine: number): number[] {
    return this.instructionRules.filter((r) => r.address === address && wouldStop(r.rule, (name) => this.lookup(name, engine))).map((r) => r.rule.id);
  }

  /** A name in an expression about `engine`: its registers, then the target's names. */
  lookup(name: string, engine = 0): Value | typeof UNKNOWN {
    const reg = this.registerValue(engine, name);
    return reg !== UNKNOWN ? reg : this.source.lookup(name);
  }

  // ---- memory and disassembly ----

  readMemory(address: number, count: number): { bytes: Uint8Array; unreadable: number } {
    const r = this.hw.debugRead(address, count);
    const firstBad = r.unreadable.length ? r.unreadable[0].address - address : count;
    if (firstBad >= count) return { bytes: r.bytes, unreadable: 0 };
    return { bytes: r.bytes.slice(0, firstBad), unreadable: count - firstBad };
  }

  writeMemory(address: number, data: Uint8Array): number {
    this.read.clear();
    this.documents.changed(address, data.length);
    const r = this.hw.debugWrite(address, data);
    if (r.written === 0 && data.length) throw new Error(`${hex(address)} is not writable memory in the debug address space`);
    if (r.written > 0) this.source.debugWrote?.(address, data.subarray(0, r.written));
    return r.written;
  }

  /** Notes memory written outside the GPU's own events (a driver's writes into a DMA buffer). */
  noteWrite(address: number, length: number): void {
    const last = this.writes[this.writes.length - 1];
    if (last && last.address + last.length === address) last.length += length;
    else if (this.writes.length < 64) this.writes.push({ address, length });
  }

  /** The memory written since the last call, for a stop's `memoryChanged`. */
  takeWrites(): { memoryReference: string; offset: number; count: number }[] | undefined {
    if (!this.writes.length) return undefined;
    const out = this.writes.map((w) => ({ memoryReference: formatAddress(w.address), offset: 0, count: w.length }));
    this.writes = [];
    return out;
  }

  /** The target resumes: what changed during the stop was already reported, and memory will change. */
  resumed(): void {
    this.writes = [];
    this.read.clear();
  }

  private disassemblyContext(): DisassemblyContext {
    const regions = this.source.codeRegions();
    const maxSeg = Math.max(...this.hw.segments.map((s) => s.id));
    return {
      read: (address, length) => {
        const r = this.hw.debugRead(address, length);
        const bad = r.unreadable.map((u) => [u.address - address, u.address - address + u.length]);
        return { bytes: r.bytes, readable: (i) => !bad.some(([a, b]) => i >= a && i < b), allReadable: bad.length === 0 };
      },
      regions,
      segmentName: (id) => this.segmentName(id),
      symbolAt: (address) => {
        const r = regions.find((x) => address >= x.start && address < x.start + Math.max(x.length, 1));
        if (r) return this.source.symbolAt?.(address) ?? r.name;
        const named = this.source.symbolAt?.(address);
        if (named) return named;
        const seg = this.hw.segments.find((s) => address >= debugAddressOfSegment(s.id) && address < debugAddressOfSegment(s.id) + s.size);
        return seg ? `segment ${seg.name}` : undefined;
      },
      sourceAt: this.source.sourceAt ? (address) => this.source.sourceAt!(address) : undefined,
      addressLimit: debugAddressOfSegment(maxSeg + 1),
    };
  }

  disassemble(address: number, instructionOffset: number, count: number, resolveSymbols: boolean): DisassembledInstruction[] {
    return disassemble(this.disassemblyContext(), address, instructionOffset, count, resolveSymbols);
  }

  /** An address typed in the console: a number, a name or an expression over names. */
  addressArg(text: string | undefined): number {
    if (!text) throw new MissingArgument('missing ADDR');
    const v = compile(text).evaluate((name) => this.lookup(name));
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ExpressionError(`ADDR '${text}' is not an address`);
    return n;
  }
}
