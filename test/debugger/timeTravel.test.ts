// Time travel over the real adapter: stepBack and reverseContinue on the kernel thread (one DDI call
// or kernel event back) and on a GPU thread (one opcode back). A stop is compared by what it shows:
// its top frame, the Variables of that frame, the side-bar views' adapter state, and all memory by a
// SHA-256 (system memory and every segment, through readMemory): stepping back over a GPU opcode
// gives its destination bytes back, reverse continue reaches the previous DxgkDdiBuildPagingBuffer
// hit (and the previous hits of an instruction breakpoint, of a data breakpoint) with the memory of
// that hit, and going forward again gives the same stops and the same memory.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { debugAddressOfSegment } from '../../src/sim/hw';
import { ROOT, tempDir } from '../setup';
import { adapterPerTest, decodeBase64, expectEvent, launchAndStop, type AdapterClient } from './harness';

const KERNEL = 1;
const GPU = 100;
const hexAddr = (n: number): string => '0x' + n.toString(16);
const SYSTEM = 2 * 1024 * 1024;
const SEGMENTS = [
  { id: 1, size: 128 * 1024 },
  { id: 2, size: 128 * 1024 },
];

/** A small generated run (a few thousand moments), so that hashing all memory at each stop stays cheap. */
function scenarioFile(): string {
  const file = join(tempDir('travel'), 'small.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'small',
      seed: 5,
      adapter: { segments: [{ name: 'vram', kind: 'memory', size: '128KiB', cpuVisible: true }, { name: 'local', kind: 'memory', size: '128KiB' }], systemMemory: '2MiB' },
      kernel: { pagingBufferSize: 1024, maxTransferSize: '16KiB' },
      generate: { allocations: 8, steps: 30, minSize: '4KiB', maxSize: '32KiB', allocationsPerRender: 3 },
    }),
  );
  return file;
}

async function read(dc: AdapterClient, address: number, count: number): Promise<Buffer> {
  const r = (await dc.request('readMemory', { memoryReference: hexAddr(address), count })) as DebugProtocol.ReadMemoryResponse;
  assert.ok(r.success, r.message);
  const b = decodeBase64(r.body?.data);
  // Unreadable bytes at the end are not sent: count them as zeros, as the adapter says they are absent.
  return b.length === count ? b : Buffer.concat([b, Buffer.alloc(count - b.length)]);
}

/** A SHA-256 of all memory. */
async function memoryHash(dc: AdapterClient): Promise<string> {
  const h = createHash('sha256');
  h.update(await read(dc, 0, SYSTEM));
  for (const s of SEGMENTS) h.update(await read(dc, debugAddressOfSegment(s.id), s.size));
  return h.digest('hex');
}

interface Seen {
  reason: string;
  threadId: number;
  top: string;
  ip?: string;
  memory: string;
  /** The top frame's scopes and their variables, one level down (the Variables view). */
  variables: string;
  /** What the side-bar views show (the adapter's segments, allocations, paging buffers, engines). */
  adapter: string;
}

/** What a stop shows: its reason and thread, the top frame of its thread and its variables, the side-bar views' state, and all memory. */
async function seen(dc: AdapterClient, ev: DebugProtocol.StoppedEvent): Promise<Seen> {
  const frame = (await dc.stackTraceRequest({ threadId: ev.body.threadId! })).body.stackFrames[0];
  const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
  const variables: string[] = [];
  for (const scope of scopes) {
    variables.push(`${scope.name}:`);
    for (const v of (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables) variables.push(`  ${v.name} = ${v.value}`);
  }
  const adapter = (await dc.customRequest('pagingLab.adapterState')) as unknown as { body: unknown };
  return {
    reason: ev.body.reason,
    threadId: ev.body.threadId!,
    top: frame.name,
    ip: frame.instructionPointerReference,
    memory: await memoryHash(dc),
    variables: variables.join('\n'),
    adapter: JSON.stringify(adapter.body),
  };
}

async function step(dc: AdapterClient, command: string, threadId: number): Promise<DebugProtocol.StoppedEvent> {
  return expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', async () => {
    const r = await dc.request(command, { threadId });
    assert.ok(r.success, `${command}: ${r.message}`);
  });
}

describe('debug adapter: time travel (stepBack, reverseContinue)', function () {
  this.timeout(180000);
  const client = adapterPerTest();

  it('says it can step back', async () => {
    const dc = client();
    const init = await dc.initializeRequest({ adapterID: 'wddm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    assert.equal(init.body?.supportsStepBack, true);
  });

  it('steps back over GPU opcodes: the bytes they wrote return to their old values, and forward again gives the same stops', async () => {
    const dc = client();
    await launchAndStop(dc, { scenario: scenarioFile(), stopOnEntry: true }, async () => undefined);
    // Forward: GPU opcodes one by one, from the first the engine runs.
    const forward: Seen[] = [await seen(dc, await step(dc, 'next', GPU))];
    for (let i = 0; i < 8; i++) forward.push(await seen(dc, await step(dc, 'next', GPU)));
    assert.ok(forward.every((s) => s.threadId === GPU && s.reason === 'step'));
    const changed = forward.findIndex((s, i) => i > 0 && s.memory !== forward[i - 1].memory);
    assert.ok(changed > 0, 'an opcode among them wrote memory');
    // Back, one opcode at a time: each stop is the one before, memory included.
    for (let i = forward.length - 2; i >= 0; i--) {
      const back = await seen(dc, await step(dc, 'stepBack', GPU));
      assert.deepEqual(back, forward[i], `one opcode back to stop ${i}`);
    }
    // And forward again: the same run.
    for (let i = 1; i < forward.length; i++) assert.deepEqual(await seen(dc, await step(dc, 'next', GPU)), forward[i], `forward again to stop ${i}`);
  });

  it('steps back over opcodes a GPU step ran ahead of the kernel (stopped at a DDI call), and replays them going forward', async () => {
    const dc = client();
    await launchAndStop(dc, { scenario: scenarioFile() }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    });
    // Find a DxgkDdiBuildPagingBuffer hit where the engine has work queued: a GPU step there runs ahead, the kernel staying at the call.
    const kernelStack = async (): Promise<string> => JSON.stringify((await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames.map((f) => [f.name, f.line, f.instructionPointerReference]));
    let kernelTop = '';
    let atCall: Seen | undefined;
    const forward: Seen[] = [];
    for (let hit = 0; hit < 40 && !forward.length; hit++) {
      kernelTop = await kernelStack();
      atCall = await seen(dc, { body: { reason: 'function breakpoint', threadId: GPU } } as DebugProtocol.StoppedEvent);
      const s = await seen(dc, await step(dc, 'next', GPU));
      if (s.reason === 'step' && (await kernelStack()) === kernelTop && s.memory !== atCall.memory) forward.push(s);
      else if (s.reason !== 'function breakpoint') await step(dc, 'continue', KERNEL);
    }
    assert.ok(forward.length, 'a hit where the GPU ran ahead of the kernel');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    for (let i = 0; i < 3; i++) {
      const s = await seen(dc, await step(dc, 'next', GPU));
      if (s.reason !== 'step' || (await kernelStack()) !== kernelTop) break;
      forward.push(s);
    }
    // Back over each: the kernel still at the call, memory as before each opcode.
    for (let i = forward.length - 2; i >= 0; i--) assert.deepEqual(await seen(dc, await step(dc, 'stepBack', GPU)), forward[i], `back to ahead step ${i}`);
    const before = await seen(dc, await step(dc, 'stepBack', GPU));
    assert.equal(before.memory, atCall!.memory, 'before the first opcode run ahead: the memory of the DDI call stop');
    assert.equal(await kernelStack(), kernelTop, 'the kernel is still at the call');
    for (let i = 0; i < forward.length; i++) assert.deepEqual(await seen(dc, await step(dc, 'next', GPU)), forward[i], `forward again to ahead step ${i}`);
  });

  it('makes a writeMemory edit again when the run passes its moment after a step back', async () => {
    const dc = client();
    await launchAndStop(dc, { scenario: scenarioFile(), stopOnEntry: true }, async () => undefined);
    await step(dc, 'next', GPU);
    // A byte range nothing else writes: the top of system memory.
    const address = SYSTEM - 16;
    const w = await dc.request('writeMemory', { memoryReference: hexAddr(address), data: Buffer.from('c0ffee', 'hex').toString('base64') });
    assert.ok(w.success, w.message);
    const s1 = await seen(dc, await step(dc, 'next', GPU));
    assert.deepEqual([...(await read(dc, address, 3))], [0xc0, 0xff, 0xee]);
    await step(dc, 'stepBack', GPU);
    assert.deepEqual([...(await read(dc, address, 3))], [0, 0, 0], 'back at the stop where it was made: before the edit');
    assert.deepEqual(await seen(dc, await step(dc, 'next', GPU)), s1, 'forward again: the edit is made again');
    assert.deepEqual([...(await read(dc, address, 3))], [0xc0, 0xff, 0xee]);
  });

  it('steps back the kernel thread one DDI call or kernel event at a time, and forward again gives the same stops, views and memory', async () => {
    const dc = client();
    await launchAndStop(dc, { scenario: scenarioFile() }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer', hitCondition: '3' }] });
    });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const frame = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    const forward: Seen[] = [{ ...(await seen(dc, { body: { reason: 'function breakpoint', threadId: KERNEL } } as DebugProtocol.StoppedEvent)) }];
    assert.match(frame.name, /^DxgkDdiBuildPagingBuffer\(/);
    for (let i = 0; i < 6; i++) forward.push(await seen(dc, await step(dc, 'next', KERNEL)));
    // The stops differ in what the Variables and side-bar views show, so that going back must bring each back.
    assert.ok(new Set(forward.map((f) => f.variables)).size > 3, 'the Variables view changes from stop to stop');
    assert.ok(new Set(forward.map((f) => f.adapter)).size > 1, 'the side-bar views change from stop to stop');
    for (let i = forward.length - 2; i >= 0; i--) {
      const back = await seen(dc, await step(dc, 'stepBack', KERNEL));
      assert.deepEqual({ ...back, reason: forward[i].reason }, forward[i], `one kernel step back to stop ${i}`);
      assert.equal(back.reason, 'step');
    }
    for (let i = 1; i < forward.length; i++) assert.deepEqual(await seen(dc, await step(dc, 'next', KERNEL)), forward[i], `forward again to stop ${i}`);
  });

  it('continues in reverse to the previous DxgkDdiBuildPagingBuffer hit, with the memory of that hit, down to the beginning', async () => {
    const dc = client();
    const first = (await launchAndStop(dc, { scenario: scenarioFile() }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    })) as DebugProtocol.StoppedEvent;
    const hits: Seen[] = [await seen(dc, first)];
    for (let i = 0; i < 3; i++) hits.push(await seen(dc, await step(dc, 'continue', KERNEL)));
    assert.ok(hits.every((h) => h.reason === 'function breakpoint' && /^DxgkDdiBuildPagingBuffer\(/.test(h.top)));
    for (let i = hits.length - 2; i >= 0; i--) {
      const ev = await step(dc, 'reverseContinue', KERNEL);
      assert.deepEqual(ev.body.hitBreakpointIds?.length, 1);
      assert.deepEqual(await seen(dc, ev), hits[i], `reverse continue to hit ${i}`);
    }
    // Before the first hit there is none: the beginning of the run, said so.
    const start = await step(dc, 'reverseContinue', KERNEL);
    assert.equal(start.body.description, 'Paused at the beginning of the run');
    assert.match(start.body.text ?? '', /beginning of the run: no breakpoint stops before this moment/);
    // And from there, forward: the first hit again.
    assert.deepEqual(await seen(dc, await step(dc, 'continue', KERNEL)), hits[0]);
  });

  it('continues in reverse to the previous hits of an instruction breakpoint, each with its engine, instruction and memory', async () => {
    const dc = client();
    await launchAndStop(dc, { scenario: scenarioFile(), stopOnEntry: true }, async () => undefined);
    // The first opcode the GPU runs: its paging buffer is used again by later submissions.
    const first = await seen(dc, await step(dc, 'next', GPU));
    assert.ok(first.ip, 'a GPU stop has an instruction pointer');
    const set = (await dc.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: first.ip }] })) as DebugProtocol.SetInstructionBreakpointsResponse;
    assert.equal(set.body.breakpoints[0]?.verified, true, set.body.breakpoints[0]?.message);
    // The run passes it three times more (then ends): a fill, another fill, a copy.
    const hits: Seen[] = [];
    for (let i = 0; i < 3; i++) hits.push(await seen(dc, await step(dc, 'continue', KERNEL)));
    assert.ok(hits.every((h) => h.reason === 'instruction breakpoint'), hits.map((h) => h.reason).join(', '));
    assert.ok(hits.every((h) => h.ip === first.ip && h.threadId === GPU), 'every hit stops its engine at the instruction');
    assert.ok(new Set(hits.map((h) => h.memory)).size > 1, 'memory changes between the hits');
    for (let i = hits.length - 2; i >= 0; i--) {
      const ev = await step(dc, 'reverseContinue', KERNEL);
      assert.equal(ev.body.reason, 'instruction breakpoint', ev.body.text);
      assert.deepEqual(await seen(dc, ev), hits[i], `reverse continue to hit ${i}`);
    }
    // Forward again from the earliest hit: the next one, as it was.
    assert.deepEqual(await seen(dc, await step(dc, 'continue', KERNEL)), hits[1]);
  });

  it('continues in reverse to the previous writes of a watched range (a data breakpoint), later then earlier, with the memory of each', async () => {
    const dc = client();
    await launchAndStop(dc, { scenario: scenarioFile(), stopOnEntry: true }, async () => undefined);
    const watched = debugAddressOfSegment(1);
    const info = (await dc.request('dataBreakpointInfo', { name: hexAddr(watched), asAddress: true, bytes: 16 })) as DebugProtocol.DataBreakpointInfoResponse;
    const set = (await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId }] })) as DebugProtocol.SetDataBreakpointsResponse;
    const id = set.body.breakpoints[0].id;
    const hits: Seen[] = [];
    for (let i = 0; i < 2; i++) {
      const ev = await step(dc, 'continue', KERNEL);
      assert.equal(ev.body.reason, 'data breakpoint', `forward hit ${i}: ${ev.body.text}`);
      hits.push(await seen(dc, ev));
    }
    // On past both writes, to a later DxgkDdiBuildPagingBuffer call.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    assert.equal((await step(dc, 'continue', KERNEL)).body.reason, 'function breakpoint');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    for (let i = hits.length - 1; i >= 0; i--) {
      const ev = await step(dc, 'reverseContinue', KERNEL);
      assert.equal(ev.body.reason, 'data breakpoint', `reverse continue: ${ev.body.text}`);
      assert.deepEqual(ev.body.hitBreakpointIds, [id]);
      assert.match(ev.body.text ?? '', /^16 bytes at 0x10000000000 written by GPU engine 0, instruction at 0x[0-9a-f]+: \d+ bytes at 0x10000000000$/);
      assert.equal((await seen(dc, ev)).memory, hits[i].memory, `reverse continue to write ${i}: the memory of that forward stop`);
    }
    // Before the first write: the beginning.
    assert.equal((await step(dc, 'reverseContinue', KERNEL)).body.description, 'Paused at the beginning of the run');
    // Going forward again: the first write again.
    assert.equal((await seen(dc, await step(dc, 'continue', KERNEL))).memory, hits[0].memory);
  });

  it('stops at a DDI that returned a failure status going forward, and at the same stop going back', async () => {
    const dc = client();
    // The default scenario's paging buffers run out of room: DxgkDdiBuildPagingBuffer returns INSUFFICIENT_DMA_BUFFER.
    const first = (await launchAndStop(dc, { scenario: join(ROOT, 'samples', 'scenarios', 'default.json') }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['driverFailure'] });
    })) as DebugProtocol.StoppedEvent;
    const kernelStack = async (): Promise<string> => JSON.stringify((await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames.map((f) => [f.name, f.line]));
    const atFirst = await kernelStack();
    const second = await step(dc, 'continue', KERNEL);
    assert.notEqual(await kernelStack(), atFirst, 'the second failure is another call');
    for (const ev of [first, second]) {
      assert.equal(ev.body.reason, 'exception');
      assert.match(ev.body.text ?? '', /^DxgkDdiBuildPagingBuffer returned STATUS_\w+$/);
    }
    const back = await step(dc, 'reverseContinue', KERNEL);
    assert.equal(back.body.text, first.body.text);
    const info = (await dc.request('exceptionInfo', { threadId: KERNEL })) as DebugProtocol.ExceptionInfoResponse;
    assert.match(info.body.exceptionId, /^driverFailure\.STATUS_/);
    assert.match(info.body.description ?? '', /^DxgkDdiBuildPagingBuffer returned STATUS_\w+ \(0x[0-9a-f]+\)$/i);
    assert.equal(await kernelStack(), atFirst, 'reverse continue reaches the first failure');
  });

  it('answers bad input: step back at the first moment says it is the beginning; a bad thread or none is refused with a reason, and the session goes on', async () => {
    const dc = client();
    const entry = (await launchAndStop(dc, { scenario: scenarioFile(), stopOnEntry: true }, async () => undefined)) as DebugProtocol.StoppedEvent;
    const atEntry = await seen(dc, entry);
    const back = await step(dc, 'stepBack', KERNEL);
    assert.equal(back.body.description, 'Paused at the beginning of the run');
    assert.match(back.body.text ?? '', /the kernel made no call or event before this one/);
    assert.deepEqual({ ...(await seen(dc, back)), reason: 'entry' }, atEntry, 'still the first moment');
    const gpuBack = await step(dc, 'stepBack', GPU);
    assert.match(gpuBack.body.text ?? '', /engine 0 executed no instruction before this one/);
    const bad = await dc.request('stepBack', { threadId: 77 });
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /there is no thread 77/);
    const noThread = await dc.request('reverseContinue', {});
    assert.equal(noThread.success, false);
    // The session is still alive and steps.
    const on = await step(dc, 'next', KERNEL);
    assert.equal(on.body.reason, 'step');
  });

  it('Restart Frame: back to where the DDI call, its scenario step, or the GPU\'s paging buffer began, with the memory of then', async () => {
    const dc = client();
    const init = await dc.initializeRequest({ adapterID: 'wddm', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    assert.equal(init.body?.supportsRestartFrame, true);
    const first = (await launchAndStop(dc, { scenario: scenarioFile() }, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer', hitCondition: '2' }] });
    })) as DebugProtocol.StoppedEvent;
    const entry = await seen(dc, first);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    // At the call's entry its frame began where the session stands: nothing to restart.
    assert.equal((await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0].canRestart, false);
    const restart = async (threadId: number, pick: (f: DebugProtocol.StackFrame) => boolean): Promise<DebugProtocol.StoppedEvent> => {
      const frame = (await dc.stackTraceRequest({ threadId })).body.stackFrames.find(pick);
      assert.ok(frame, 'the frame is on the stack');
      assert.equal(frame.canRestart, true, `${frame.name} can be restarted`);
      const ev = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', async () => {
        const r = await dc.request('restartFrame', { frameId: frame.id });
        assert.ok(r.success, r.message);
      });
      assert.equal(ev.body.reason, 'restart');
      return ev;
    };
    // Out of the call to its return, on a few steps: Restart Frame on the DDI frame is its entry again.
    await step(dc, 'stepOut', KERNEL);
    const returned = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.match(returned.name, /^DxgkDdiBuildPagingBuffer\(.*\) → STATUS_/);
    const again = await restart(KERNEL, (f) => /^DxgkDdiBuildPagingBuffer\(/.test(f.name));
    assert.deepEqual({ ...(await seen(dc, again)), reason: 'function breakpoint' }, entry, 'the entry stop, memory and all');

    // The scenario step's frame: back to the step's start (its own stop, on its line of the scenario).
    const stepFrame = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames.find((f) => /^step \d+: /.test(f.name))!;
    await restart(KERNEL, (f) => f.id === stepFrame.id);
    const top = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.match(top.name, /^scenario step \d+: /);
    assert.equal(top.line, stepFrame.line);

    // The GPU: an opcode or more into a paging buffer, its frame restarts at the buffer's first one.
    const buffer = /\[buffer (0x[0-9a-f]+)\+(0x[0-9a-f]+)\]/;
    let at = buffer.exec((await seen(dc, await step(dc, 'next', GPU))).top)!;
    for (let i = 0; i < 10 && at[2] === '0x0'; i++) at = buffer.exec((await seen(dc, await step(dc, 'next', GPU))).top)!;
    const [, base, offset] = at;
    assert.notEqual(offset, '0x0', 'some opcodes into the buffer');
    await restart(GPU, (f) => buffer.test(f.name));
    const gpuTop = (await dc.stackTraceRequest({ threadId: GPU })).body.stackFrames[0];
    assert.equal(buffer.exec(gpuTop.name)?.[1], base);
    assert.equal(buffer.exec(gpuTop.name)?.[2], '0x0', 'at its first opcode');

    // A frame that began nowhere the timeline names (the paging buffer label) cannot: refused with why.
    const label = (await dc.stackTraceRequest({ threadId: GPU })).body.stackFrames.find((f) => /^paging buffer, submission/.test(f.name))!;
    assert.equal(label.canRestart, false);
    const refused = await dc.request('restartFrame', { frameId: label.id });
    assert.equal(refused.success, false);
    assert.match(refused.message ?? '', /cannot be restarted/);
    assert.equal((await step(dc, 'next', GPU)).body.reason, 'step', 'the session goes on');
  });

  it('refuses to step back or restart a frame in a .pgasm program session, saying where it works', async () => {
    const dc = client();
    await launchAndStop(dc, { program: join(ROOT, 'test', 'debugger', 'fixtures', 'copy.pgasm'), stopOnEntry: true }, async () => undefined);
    const r = await dc.request('stepBack', { threadId: GPU });
    assert.equal(r.success, false);
    assert.match(r.message ?? '', /work in driver sessions/);
    // Restart Frame too: no frame says it can, and asked anyway, the answer says where it works.
    const frames = (await dc.stackTraceRequest({ threadId: GPU })).body.stackFrames;
    assert.ok(frames.every((f) => f.canRestart === false));
    const restart = await dc.request('restartFrame', { frameId: frames[0].id });
    assert.equal(restart.success, false);
    assert.match(restart.message ?? '', /Restart Frame works in driver sessions/);
    assert.equal((await step(dc, 'next', GPU)).body.reason, 'step');
  });
});
