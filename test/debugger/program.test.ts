// Acceptance scenario 4 over the real adapter: run a .pgasm program on the simulated GPU, stop on
// source lines, single-step opcodes, and see memory before and after each step, as disassembly too.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AdapterClient, decodeBase64, expectEvent, initialize, processFigures } from './harness';
import { tempDir } from '../setup';

const FIXTURES = join(__dirname, 'fixtures');
const PROGRAM = join(FIXTURES, 'copy.pgasm');
const GPU = 100;
const VRAM = 2 ** 40; // segment 1 in the debug address space
const hexAddr = (n: number): string => '0x' + n.toString(16);

async function launchProgram(dc: AdapterClient, args: Record<string, unknown>, lines: number[] = []): Promise<DebugProtocol.StoppedEvent | DebugProtocol.TerminatedEvent> {
  await initialize(dc);
  const initialized = dc.waitForEvent('initialized');
  const stopped = dc.waitForEvent('stopped');
  const terminated = dc.waitForEvent('terminated');
  stopped.catch(() => undefined);
  terminated.catch(() => undefined);
  const launched = dc.launchRequest({ ...args } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  if (lines.length) {
    const r = await dc.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: lines.map((line) => ({ line })) });
    assert.ok(r.body.breakpoints.every((b) => b.verified));
  }
  await dc.configurationDoneRequest();
  await launched;
  return (await Promise.race([stopped, terminated])) as DebugProtocol.StoppedEvent;
}

async function read(dc: AdapterClient, address: number, count: number): Promise<Buffer> {
  const r = (await dc.request('readMemory', { memoryReference: hexAddr(address), count })) as DebugProtocol.ReadMemoryResponse;
  assert.ok(r.success, r.message);
  return decodeBase64(r.body?.data);
}

async function topFrame(dc: AdapterClient): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId: GPU });
  return st.body.stackFrames[0];
}

async function variables(dc: AdapterClient, frameId: number, scope: string): Promise<Map<string, DebugProtocol.Variable>> {
  const scopes = await dc.scopesRequest({ frameId });
  const s = scopes.body.scopes.find((x) => x.name === scope);
  assert.ok(s, `scope ${scope} in ${scopes.body.scopes.map((x) => x.name).join(', ')}`);
  const vars = await dc.variablesRequest({ variablesReference: s.variablesReference });
  return new Map(vars.body.variables.map((v) => [v.name, v]));
}

const PATTERN = Buffer.from([0xef, 0xbe, 0xad, 0xde]);

describe('debug adapter: a .pgasm program on the GPU (scenario 4)', function () {
  this.timeout(30000);
  let dc: AdapterClient;

  beforeEach(async () => {
    dc = new AdapterClient();
    await dc.start();
  });

  afterEach(async () => {
    const violations = dc.violations.slice();
    await dc.close();
    assert.deepEqual(violations, [], 'every message the adapter sent validates against the DAP schema');
  });

  it('offers what VS Code needs for disassembly, memory and breakpoints', async () => {
    const init = await initialize(dc);
    const caps = init.body!;
    assert.equal(caps.supportsDisassembleRequest, true);
    assert.equal(caps.supportsReadMemoryRequest, true);
    assert.equal(caps.supportsWriteMemoryRequest, true);
    assert.equal(caps.supportsInstructionBreakpoints, true);
    assert.equal(caps.supportsFunctionBreakpoints, true);
    assert.equal(caps.supportsConditionalBreakpoints, true);
    assert.equal(caps.supportsLogPoints, true);
    assert.deepEqual(
      caps.exceptionBreakpointFilters!.map((f) => f.filter),
      ['driverFailure', 'verifier', 'driverException', 'driverCaughtException', 'gpuFault', 'tdr'],
    );
  });

  it('stops on a line, shows the instruction, steps one opcode and the destination changes', async () => {
    // Lines: 5 fill, 6 copy, 7 nop, 10 fence.
    const stop = (await launchProgram(dc, { program: PROGRAM }, [6])) as DebugProtocol.StoppedEvent;
    assert.equal(stop.event, 'stopped');
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal(stop.body.threadId, GPU);

    const threads = await dc.threadsRequest();
    assert.deepEqual(threads.body.threads, [{ id: GPU, name: 'GPU paging engine 0' }]);

    const frame = await topFrame(dc);
    assert.match(frame.name, /^copy vram:0x2000, vram:0x1000, 0x100 +\[dma\+0x20\]$/);
    assert.equal(frame.line, 6);
    assert.equal(frame.source?.path, PROGRAM);
    const ip = Number(frame.instructionPointerReference);
    assert.ok(ip > 0, 'GPU frames carry an instruction pointer');

    const regs = await variables(dc, frame.id, 'Registers');
    assert.equal(regs.get('pc')?.value, '0x20');
    assert.equal(Number(regs.get('address')?.value), ip, 'the absolute address, as the Disassembly view shows it, beside the offset');
    assert.equal(regs.get('state')?.value, 'executing', 'stopped inside the buffer it runs');
    assert.equal(regs.get('instruction')?.value, 'copy vram:0x2000, vram:0x1000, 0x100');
    const operands = await variables(dc, frame.id, 'Instruction');
    assert.equal(operands.get('dst')?.value, 'vram:0x2000');
    assert.equal(Number(operands.get('dst')?.memoryReference), VRAM + 0x2000);
    assert.equal(operands.get('size')?.value, '0x100');

    // Before the step: the fill ran, the copy did not.
    assert.deepEqual(await read(dc, VRAM + 0x1000, 8), Buffer.concat([PATTERN, PATTERN]));
    assert.deepEqual(await read(dc, VRAM + 0x2000, 0x100), Buffer.alloc(0x100));

    // Disassembly around the instruction pointer, one instruction back.
    const dis = (await dc.disassembleRequest({ memoryReference: frame.instructionPointerReference!, instructionOffset: -1, instructionCount: 4, resolveSymbols: true })).body!.instructions;
    assert.deepEqual(
      dis.map((i) => [i.instruction, i.line]),
      [
        ['fill vram:0x1000, 0x100, 0xDEADBEEF', 5],
        ['copy vram:0x2000, vram:0x1000, 0x100', 6],
        ['nop', 7],
        ['fence phys:0x0, 0x7', 10],
      ],
    );
    assert.equal(Number(dis[1].address), ip);
    assert.equal(dis[0].symbol, 'copy.pgasm!start');
    assert.equal(dis[3].symbol, 'copy.pgasm!done');

    // One GPU step: the copy executes, the destination now holds the pattern, a memory event says so.
    const memoryEvent = dc.waitForEvent('memory');
    const stepped = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    assert.equal(stepped.body.reason, 'step');
    const mem = (await memoryEvent) as DebugProtocol.MemoryEvent;
    assert.equal(Number(mem.body.memoryReference), VRAM + 0x2000);
    assert.equal(mem.body.count, 0x100);
    const after = await read(dc, VRAM + 0x2000, 0x100);
    for (let i = 0; i < 0x100; i += 4) assert.deepEqual(after.subarray(i, i + 4), PATTERN, `dword at +${i}`);
    const next = await topFrame(dc);
    assert.equal(next.name, 'nop  [dma+0x4c]');
    assert.equal(next.line, 7);
    assert.equal(Number(next.instructionPointerReference), ip + 44);
  });

  it('stops on entry, runs to a moved breakpoint, and ends with the program', async () => {
    const stop = (await launchProgram(dc, { program: PROGRAM, stopOnEntry: true })) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'entry');
    assert.equal((await topFrame(dc)).line, 5);
    // Line 8 is blank: the breakpoint moves to the next instruction, the fence on line 10.
    const bps = await dc.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [{ line: 8 }] });
    assert.equal(bps.body.breakpoints[0].verified, true);
    assert.equal(bps.body.breakpoints[0].line, 10);
    const hit = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: GPU }));
    assert.equal(hit.body.reason, 'breakpoint');
    assert.deepEqual(hit.body.hitBreakpointIds, [bps.body.breakpoints[0].id]);
    const frame = await topFrame(dc);
    assert.equal(frame.line, 10);
    const pc = await dc.evaluateRequest({ expression: 'pc', frameId: frame.id, context: 'watch' });
    assert.equal(pc.body.result, '0x50');
    const fence = await dc.evaluateRequest({ expression: 'pagingFence == 0 && address == done && address > start', frameId: frame.id, context: 'hover' });
    assert.equal(fence.body.result, 'true');

    // Step the fence: the program is complete; continuing ends the session with a summary.
    const last = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    assert.equal(last.body.reason, 'step');
    assert.match((await topFrame(dc)).name, /^end of paging buffer \(4 instructions executed\)$/);
    const regs = await variables(dc, (await topFrame(dc)).id, 'Registers');
    assert.equal(regs.get('pagingFence')?.value, '0x7');
    const exited = dc.waitForEvent('exited');
    await expectEvent(dc, 'terminated', () => dc.continueRequest({ threadId: GPU }));
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
    const summary = dc.messages.filter((m) => m.event === 'output').map((m) => (m.body as { output: string }).output).join('');
    assert.match(summary, /copy\.pgasm finished: 4 instructions in \d+ ns of GPU time; paging fence 0x7\./);
  });

  it('runs a sample whose page list follows the code to the end, executing only the instructions', async () => {
    // samples/pgasm/copy.pgasm keeps its MDL page lists after the last instruction: they are data
    // the copy reads, and must never be fetched as instructions.
    const sample = join(__dirname, '..', '..', 'samples', 'pgasm', 'copy.pgasm');
    const stop = (await launchProgram(dc, { program: sample, stopOnEntry: true })) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'entry');
    const exceptions: DebugProtocol.StoppedEvent[] = [];
    dc.on('stopped', (e: DebugProtocol.StoppedEvent) => {
      if (e.body.reason === 'exception') exceptions.push(e);
    });
    const exited = dc.waitForEvent('exited');
    await expectEvent(dc, 'terminated', () => dc.continueRequest({ threadId: GPU }));
    assert.deepEqual(exceptions, [], 'no GPU fault on the page list');
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
  });

  it('disassembles backwards from segment addresses (2^40 and up), with 64-bit arithmetic', async () => {
    await launchProgram(dc, { program: PROGRAM, stopOnEntry: true });
    for (const base of [VRAM, VRAM + 0x1002, 3 * VRAM + 0x40]) {
      const r = (await dc.request('disassemble', { memoryReference: hexAddr(base), instructionOffset: -10, instructionCount: 20 })) as DebugProtocol.DisassembleResponse;
      assert.ok(r.success, r.message);
      assert.equal(r.body!.instructions.length, 20);
      const addresses = r.body!.instructions.map((i) => Number(i.address));
      assert.ok(addresses.every((a, i) => i === 0 || a > addresses[i - 1]), 'addresses increase');
      assert.ok(addresses[9] < base && addresses[10] >= base - 3 && addresses[10] <= base, `the 11th instruction is at ${hexAddr(base)}`);
    }
  });

  it('reads and writes memory, pads disassembly outside the buffer and at negative offsets', async () => {
    await launchProgram(dc, { program: PROGRAM, stopOnEntry: true });
    const ip = Number((await topFrame(dc)).instructionPointerReference);
    // Exactly instructionCount entries, whatever the offset.
    for (const [offset, count] of [[-10, 12], [0, 1000], [-1000, 1000], [500, 3], [-3, 0]] as const) {
      const r = await dc.disassembleRequest({ memoryReference: hexAddr(ip), instructionOffset: offset, instructionCount: count });
      assert.equal(r.body!.instructions.length, count, `offset ${offset} count ${count}`);
    }
    const around = (await dc.disassembleRequest({ memoryReference: hexAddr(ip), instructionOffset: -2, instructionCount: 3 })).body!.instructions;
    assert.equal(around[2].instruction, 'fill vram:0x1000, 0x100, 0xDEADBEEF');
    assert.match(around[0].instruction, /^\.(u8|zero) /, 'bytes before the buffer are data, not instructions');
    assert.notEqual(around[0].presentationHint, 'invalid');
    // Far outside the debug address space: `??`.
    const far = (await dc.disassembleRequest({ memoryReference: hexAddr(2 ** 50), instructionCount: 2 })).body!.instructions;
    assert.deepEqual(far.map((i) => i.instruction), ['??', '??']);
    // At address 0, ten instructions back: padded.
    const zero = (await dc.disassembleRequest({ memoryReference: '0x0', instructionOffset: -10, instructionCount: 11 })).body!.instructions;
    assert.equal(zero.length, 11);
    assert.equal(zero[0].instruction, '??');

    // writeMemory then readMemory, with the memory event the client asked for.
    const data = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const memoryEvent = dc.waitForEvent('memory');
    const w = (await dc.request('writeMemory', { memoryReference: hexAddr(VRAM + 0x8000), data: data.toString('base64') })) as DebugProtocol.WriteMemoryResponse;
    assert.equal(w.success, true, w.message);
    assert.equal(w.body?.bytesWritten, 8);
    assert.equal(Number(((await memoryEvent) as DebugProtocol.MemoryEvent).body.memoryReference), VRAM + 0x8000);
    assert.deepEqual(await read(dc, VRAM + 0x8000, 8), data);
    // Past the end of the segment: unreadable bytes are counted, not invented.
    const edge = (await dc.request('readMemory', { memoryReference: hexAddr(VRAM + 256 * 1024 * 1024 - 4), count: 16 })) as DebugProtocol.ReadMemoryResponse;
    assert.equal(decodeBase64(edge.body!.data).length, 4);
    assert.equal(edge.body!.unreadableBytes, 12);
    // 1 MiB in one read.
    assert.equal((await read(dc, VRAM, 1024 * 1024)).length, 1024 * 1024);
  });

  it('changes an operand through setVariable and runs the changed instruction', async () => {
    await launchProgram(dc, { program: PROGRAM }, [6]);
    const frame = await topFrame(dc);
    const scopes = await dc.scopesRequest({ frameId: frame.id });
    const instr = scopes.body.scopes.find((s) => s.name === 'Instruction')!;
    const set = await dc.setVariableRequest({ variablesReference: instr.variablesReference, name: 'size', value: '0x10' });
    assert.equal(set.body.value, '0x10');
    const after = await topFrame(dc);
    assert.equal(after.name, frame.name, 'frames are cached until the target resumes');
    await expectEvent(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    const dst = await read(dc, VRAM + 0x2000, 0x20);
    assert.deepEqual(dst.subarray(0, 0x10), Buffer.concat([PATTERN, PATTERN, PATTERN, PATTERN]));
    assert.deepEqual(dst.subarray(0x10), Buffer.alloc(0x10), 'only 0x10 bytes were copied');
  });

  it('has console commands with completions', async () => {
    await launchProgram(dc, { program: PROGRAM, stopOnEntry: true });
    const segs = await dc.evaluateRequest({ expression: '!segments', context: 'repl' });
    assert.match(segs.body.result, /1 vram +memory +0x10000000 bytes cpu-visible +at 0x10000000000/);
    const pgasm = await dc.evaluateRequest({ expression: '!pgasm start 2', context: 'repl' });
    assert.match(pgasm.body.result, /fill vram:0x1000, 0x100, 0xDEADBEEF\n.*copy vram:0x2000, vram:0x1000, 0x100/);
    const gart = await dc.evaluateRequest({ expression: '!gart gart 0 2', context: 'repl' });
    assert.match(gart.body.result, /GART of gart \(segment 3, 16384 pages\)\n +page +0 +invalid/);
    const bad = (await dc.request('evaluate', { expression: '!nosuch', context: 'repl' })) as DebugProtocol.Response;
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /unknown command !nosuch; the commands are !segments, !alloc/);
    const items = await dc.completionsRequest({ text: '!pg', column: 4 });
    assert.deepEqual(items.body.targets.map((t) => t.label), ['!pgasm', '!pagingqueue'].filter((l) => l.startsWith('!pg')));
    const names = await dc.completionsRequest({ text: 'st', column: 3 });
    assert.ok(names.body.targets.some((t) => t.label === 'start'));
    assert.ok(names.body.targets.some((t) => t.label === 'state'));
    const state = (await dc.customRequest('pagingLab.adapterState')) as DebugProtocol.Response;
    assert.deepEqual(
      (state.body as { segments: { name: string }[] }).segments.map((s) => s.name),
      ['vram', 'local', 'gart'],
    );
  });

  it('conditions, hit counts and log points on program lines', async () => {
    await initialize(dc);
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launchRequest({ program: PROGRAM } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    const bps = await dc.setBreakpointsRequest({
      source: { path: PROGRAM },
      breakpoints: [
        { line: 5, logMessage: 'fill at pc={pc}' },
        { line: 6, condition: 'pc == 0x1234' },
        { line: 7, hitCondition: '2' },
        { line: 10, condition: 'time > 0 &&' },
      ],
    });
    assert.deepEqual(bps.body.breakpoints.map((b) => b.verified), [true, true, true, false]);
    assert.match(bps.body.breakpoints[3].message!, /condition: unexpected end of expression/);
    const terminated = dc.waitForEvent('terminated');
    await dc.configurationDoneRequest();
    await launched;
    // The condition is false, the hit count never reaches 2: the program runs to the end.
    await terminated;
    const out = dc.messages.filter((m) => m.event === 'output').map((m) => (m.body as { output: string }).output);
    assert.ok(out.includes('fill at pc=0\n'), out.join('|'));
  });

  it('stops on a GPU wait that can never be satisfied (TDR) with exception info, and continues once the value is written', async () => {
    const dir = tempDir('pgasm-');
    const file = join(dir, 'wait.pgasm');
    writeFileSync(file, 'wait phys:0x3000, 5\nfence phys:0, 1\n');
    const stop = (await launchProgram(dc, { program: file })) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: GPU });
    assert.equal(info.body.exceptionId, 'tdr');
    assert.match(info.body.description!, /waits forever at wait\.pgasm\+0x0 \(wait phys:0x3000, 0x5\)/);
    // Satisfy the wait from the debugger: write 5 at 0x3000, then continue to the end.
    const five = Buffer.alloc(8);
    five.writeUInt32LE(5, 0);
    await dc.request('writeMemory', { memoryReference: '0x3000', data: five.toString('base64') });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: GPU });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
  });

  it('stops on a GPU fault with exception info', async () => {
    const dir = tempDir('pgasm-');
    const file = join(dir, 'fault.pgasm');
    writeFileSync(file, 'nop\n.u32 0x12345678\nnop\n');
    const stop = (await launchProgram(dc, { program: file })) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'exception');
    const info = await dc.exceptionInfoRequest({ threadId: GPU });
    assert.equal(info.body.exceptionId, 'gpuFault.invalid-instruction');
    assert.match(info.body.description!, /GPU fault \(invalid-instruction\) at fault\.pgasm\+0x4/);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: GPU });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 1);
  });

  it('instruction breakpoints on DMA-buffer addresses', async () => {
    await launchProgram(dc, { program: PROGRAM, stopOnEntry: true });
    const ip = Number((await topFrame(dc)).instructionPointerReference);
    const r = (await dc.request('setInstructionBreakpoints', {
      breakpoints: [{ instructionReference: hexAddr(ip), offset: 0x4c }, { instructionReference: hexAddr(ip + 2) }, { instructionReference: '0x10' }],
    })) as DebugProtocol.SetInstructionBreakpointsResponse;
    assert.deepEqual(r.body.breakpoints.map((b) => b.verified), [true, false, false]);
    assert.match(r.body.breakpoints[1].message!, /is not the start of an instruction/);
    assert.match(r.body.breakpoints[2].message!, /is not in the paging buffer/);
    const hit = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: GPU }));
    assert.equal(hit.body.reason, 'instruction breakpoint');
    assert.equal((await topFrame(dc)).name, 'nop  [dma+0x4c]');
  });
  it('leaves no worker behind when restarts race each other, a terminate and a second launch; a restart then works', async function () {
    if (!processFigures(dc.pid)) this.skip(); // thread counts come from /proc
    await launchProgram(dc, { program: PROGRAM, stopOnEntry: true });
    await new Promise((r) => setTimeout(r, 300));
    const oneWorker = processFigures(dc.pid)!.threads;
    const racing = [
      dc.request('restart', {}),
      dc.request('restart', {}),
      dc.request('terminate', {}),
      dc.request('launch', { program: PROGRAM, stopOnEntry: true }),
      dc.request('restart', {}),
    ];
    const answers = await Promise.all(racing);
    assert.equal(answers.length, 5, 'each request is answered');
    assert.equal(answers[3].success, false, 'a second launch is refused');
    const restarted = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.request('restart', {}));
    assert.equal(restarted.body.reason, 'entry', 'a restart after the race works');
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && processFigures(dc.pid)!.threads > oneWorker) await new Promise((r) => setTimeout(r, 100));
    assert.equal(processFigures(dc.pid)!.threads, oneWorker, 'one simulator worker, as after the first launch');
  });

  it('restarts from the first instruction, and terminates on request', async () => {
    await launchProgram(dc, { program: PROGRAM, stopOnEntry: true });
    await expectEvent(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    assert.equal((await topFrame(dc)).line, 6);
    const again = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.restartRequest({}));
    assert.equal(again.body.reason, 'entry');
    assert.equal((await topFrame(dc)).line, 5);
    assert.deepEqual(await read(dc, VRAM + 0x1000, 4), Buffer.alloc(4), 'a fresh GPU: the fill has not run');
    const exited = dc.waitForEvent('exited');
    await expectEvent(dc, 'terminated', () => dc.terminateRequest({}));
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
    const late = (await dc.request('next', { threadId: GPU })) as DebugProtocol.Response;
    assert.equal(late.success, false);
    assert.match(late.message ?? '', /the debug session has ended/);
  });
  it('sends memory events only to a client that said it supports them', async () => {
    await dc.initializeRequest({ adapterID: 'wddm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launchRequest({ program: PROGRAM } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [{ line: 6 }] });
    const stopped = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    await launched;
    await stopped;
    await expectEvent(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    await dc.request('writeMemory', { memoryReference: hexAddr(VRAM), data: 'AQID' });
    assert.deepEqual(await read(dc, VRAM, 3), Buffer.from([1, 2, 3]));
    assert.equal(dc.messages.filter((m) => m.event === 'memory').length, 0);
  });
});
