// The driver's own TypeScript debugged in the one wddm session (mixed mode), over the real adapter
// and DebugClient: line breakpoints inside the reference driver's DxgkDdiBuildPagingBuffer, Step
// Over/In/Out by line across its files and back to the kernel's "DDI returned" stop, Step In from a
// DDI's entry, locals (the DDI structures decoded as in the kernel frames), setVariable, evaluation
// in a driver frame, conditions, hit counts and log points, `debugger;`, exceptions at their throw,
// a hung driver paused on its loop, and every view (memory, disassembly, `!` commands, a GPU step)
// still answering at a driver-line stop. Every message the adapter sends validates against the
// protocol schema.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, tempDir } from '../setup';
import { lineOf, REFERENCE, wrapReference, writeDriver } from '../sim/driver/drivers';
import { AdapterClient, adapterPerTest, decodeBase64, expectEvent, initialize, launchAndStop as start, variables as vars } from './harness';

const KERNEL = 1;
const GPU = 100;
const SWIZZLING = join(ROOT, 'samples', 'drivers', 'reference', 'swizzling.ts');
const TDR_DRIVER = join(ROOT, 'samples', 'drivers', 'buggy', 'tdr.ts');
const dir = tempDir('paging-lab-driver-source-');

type Stopped = DebugProtocol.StoppedEvent;

async function stack(dc: AdapterClient, threadId = KERNEL): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId })).body.stackFrames;
}

async function scopeVars(dc: AdapterClient, frameId: number, name: string): Promise<Map<string, DebugProtocol.Variable>> {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const s = scopes.find((x) => x.name === name);
  assert.ok(s, `a ${name} scope among ${scopes.map((x) => x.name).join(', ')}`);
  return vars(dc, s.variablesReference);
}

/**
 * Launches `driver` with a line breakpoint on its `topLine` (and those of `more`) set before it
 * loads, and waits for the first stop. The launch is answered once the driver has loaded.
 */
async function launchStoppedAt(
  dc: AdapterClient,
  driver: string,
  topLine: number,
  more: { path: string; lines: number[] }[] = [],
): Promise<{ launched: Promise<DebugProtocol.LaunchResponse>; first: Stopped; set: DebugProtocol.SetBreakpointsResponse[] }> {
  await initialize(dc);
  const initialized = dc.waitForEvent('initialized', 30000);
  const launched = dc.launchRequest({ driver } as DebugProtocol.LaunchRequestArguments);
  launched.catch(() => undefined);
  await initialized;
  const set = [await dc.setBreakpointsRequest({ source: { path: driver }, breakpoints: [{ line: topLine }] })];
  for (const m of more) set.push(await dc.setBreakpointsRequest({ source: { path: m.path }, breakpoints: m.lines.map((line) => ({ line })) }));
  const first = await expectEvent<Stopped>(dc, 'stopped', () => dc.configurationDoneRequest());
  return { launched, first, set };
}

/** The top frame of the kernel thread: its name, line and locals. */
async function topWithLocals(dc: AdapterClient): Promise<string> {
  const f = (await stack(dc))[0];
  const locals = (await dc.scopesRequest({ frameId: f.id })).body.scopes.find((x) => x.name === 'Locals');
  const values = locals ? [...(await vars(dc, locals.variablesReference))].map(([k, v]) => `${k}=${v.value}`).join(' ') : '';
  return `${f.name}:${f.line} ${values}`;
}

function step(dc: AdapterClient, kind: 'next' | 'stepIn' | 'stepOut' | 'continue' | 'stepBack', threadId = KERNEL): Promise<Stopped> {
  return expectEvent<Stopped>(dc, 'stopped', () =>
    kind === 'next'
      ? dc.nextRequest({ threadId })
      : kind === 'stepIn'
        ? dc.stepInRequest({ threadId })
        : kind === 'stepOut'
          ? dc.stepOutRequest({ threadId })
          : kind === 'stepBack'
            ? dc.stepBackRequest({ threadId })
            : dc.continueRequest({ threadId }),
  );
}

async function evaluate(dc: AdapterClient, expression: string, frameId: number, context = 'watch'): Promise<DebugProtocol.EvaluateResponse> {
  return (await dc.request('evaluate', { expression, frameId, context })) as DebugProtocol.EvaluateResponse;
}

/** What the adapter has written to the Debug Console so far. */
function consoleOutput(dc: AdapterClient): string {
  return dc.messages
    .filter((m) => m.event === 'output' && (m.body as { category?: string }).category === 'console')
    .map((m) => (m.body as { output: string }).output)
    .join('');
}

/** Launches the reference driver stopped at the line of its Transfer loop that emits a copy; that line. */
async function startAtCopy(dc: AdapterClient): Promise<number> {
  const emitLine = lineOf(REFERENCE, "emit(args, 'copy', [dst, src, n]);");
  await start(dc, {}, async () => {
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: emitLine }] });
  });
  return emitLine;
}

/** The reference driver with a `debugger;` statement run `passes` times a DxgkDdiBuildPagingBuffer call, the calls counted in `calls`. */
function statementLoop(name: string, passes: number): string {
  return wrapReference(dir, name, ['let calls = 0;'], [
    'DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {',
    '  calls++;',
    `  for (let i = 0; i < ${passes}; i++) {`,
    '    debugger;',
    '  }',
    '  return ref.DxgkDdiBuildPagingBuffer(h, a);',
    '},',
  ]);
}

describe("debug adapter: the driver's own TypeScript (mixed mode)", function () {
  this.timeout(90000);
  const adapter = adapterPerTest();
  let dc: AdapterClient;
  beforeEach(() => {
    dc = adapter();
  });

  it('stops on a line of the Transfer case with the driver frame on top and its locals; Step Over, Step In to swizzling.ts, Step Out to the kernel', async () => {
    const line = lineOf(REFERENCE, 'const allocation = t.hAllocation as Allocation | null;');
    let set: DebugProtocol.SetBreakpointsResponse | undefined;
    const stop = (await start(dc, {}, async () => {
      set = await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line }] });
    })) as Stopped;
    assert.deepEqual(set!.body.breakpoints.map((b) => [b.verified, b.line, b.source?.path]), [[true, line, REFERENCE]]);
    assert.equal(stop.event, 'stopped');
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal(stop.body.threadId, KERNEL);
    assert.deepEqual(stop.body.hitBreakpointIds, [set!.body.breakpoints[0].id]);

    // The driver's frame above the kernel's: the DDI call, what VidMm was doing, the scenario step.
    const frames = await stack(dc);
    assert.equal(frames[0].name, 'DxgkDdiBuildPagingBuffer');
    assert.equal(frames[0].source?.path, REFERENCE);
    assert.equal(frames[0].line, line);
    assert.ok(frames[0].column > 1);
    assert.equal(frames[1].name, 'DxgkDdiBuildPagingBuffer(Transfer)');
    assert.match(frames[2].name, /^page in /);
    assert.match(frames.at(-1)!.name, /^step \d+: /);

    // Locals: the Transfer structure decoded as the kernel frame shows it, the driver's own objects as JavaScript.
    const scopes = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes;
    assert.deepEqual(scopes.map((s) => s.name), ['Locals', 'Module']);
    assert.equal(scopes[0].presentationHint, 'locals');
    const locals = await vars(dc, scopes[0].variablesReference);
    for (const name of ['t', 'allocation', 'adapter', 'args', 'hAdapter', 'pBuildPagingBuffer']) assert.ok(locals.has(name), `local ${name}`);
    assert.equal(locals.get('allocation')?.value, 'undefined');
    const t = await vars(dc, locals.get('t')!.variablesReference);
    assert.equal(t.get('TransferSize')?.value, '0x40000');
    assert.equal(t.get('Flags')?.value, 'AllocationIsIdle | TransferStart');
    assert.equal(t.get('TransferSize')?.evaluateName, 't.TransferSize');
    const args = await vars(dc, locals.get('args')!.variablesReference);
    assert.equal(args.get('Operation')?.value, 'Transfer (0)');
    assert.match(args.get('pDmaBuffer')?.memoryReference ?? '', /^0x[0-9a-f]+$/);
    const adapter = await vars(dc, locals.get('adapter')!.variablesReference);
    assert.match(adapter.get('surfaceRegisters')?.value ?? '', /^Array\(4\)/);
    const module = await vars(dc, scopes[1].variablesReference);
    assert.equal(module.get('PAGING_BUFFER_SIZE')?.value, '16384');

    // Step Over: the next line. The stop after a stop reads the kernel's side and the locals in one
    // round trip (the bridge's reference kept from the first stop): the same views as at the first.
    const over = await step(dc, 'next');
    assert.equal(over.body.reason, 'step');
    const overFrames = await stack(dc);
    assert.equal(overFrames[0].line, line + 1);
    assert.equal(overFrames[1].name, 'DxgkDdiBuildPagingBuffer(Transfer)');
    const overLocals = await vars(dc, (await dc.scopesRequest({ frameId: overFrames[0].id })).body.scopes[0].variablesReference);
    assert.equal((await vars(dc, overLocals.get('args')!.variablesReference)).get('Operation')?.value, 'Transfer (0)');
    assert.equal((await vars(dc, overLocals.get('t')!.variablesReference)).get('Flags')?.value, 'AllocationIsIdle | TransferStart');
    assert.equal((await vars(dc, overLocals.get('adapter')!.variablesReference)).get('surfaceRegisters')?.value.startsWith('Array(4)'), true);
    assert.ok(overLocals.has('allocation'), 'the local the line before assigned');

    // To the call of a helper in another file, and into it.
    const call = lineOf(REFERENCE, 'if (crossesToSystem(allocation, t))');
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: call }] });
    const atCall = await step(dc, 'continue');
    assert.equal(atCall.body.reason, 'breakpoint');
    assert.equal((await stack(dc))[0].line, call);
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    await step(dc, 'stepIn');
    const inside = await stack(dc);
    assert.equal(inside[0].name, 'crossesToSystem');
    assert.equal(inside[0].source?.path, SWIZZLING);
    assert.equal(inside[0].line, lineOf(SWIZZLING, 'return !!surface?.swizzled'));
    assert.equal(inside[1].name, 'DxgkDdiBuildPagingBuffer');
    assert.equal(inside[1].line, call);
    const surface = await scopeVars(dc, inside[0].id, 'Locals');
    assert.ok(surface.has('surface') && surface.has('t'));

    // Step Out of the helper: back in the DDI; Step Out of the DDI: the kernel's "DDI returned" stop.
    await step(dc, 'stepOut');
    assert.equal((await stack(dc))[0].source?.path, REFERENCE);
    const returned = await step(dc, 'stepOut');
    assert.equal(returned.body.reason, 'step');
    const after = await stack(dc);
    assert.equal(after[0].name, 'DxgkDdiBuildPagingBuffer(Transfer) → STATUS_SUCCESS');
    assert.ok(!after.some((f) => f.source?.path === SWIZZLING || /^crossesToSystem/.test(f.name)));
  });

  it("Step In at a DDI's entry enters its first line; memory, disassembly, `!` commands, evaluation and a GPU step answer at a driver line", async () => {
    const entry = (await start(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer', condition: 'Operation == "Transfer"' }] });
    })) as Stopped;
    assert.equal(entry.body.reason, 'function breakpoint');
    const kernelTop = (await stack(dc))[0];
    const dma = Number((await scopeVars(dc, kernelTop.id, 'Arguments (DxgkDdiBuildPagingBuffer)')).get('pDmaBuffer')!.memoryReference);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

    const into = await step(dc, 'stepIn');
    assert.equal(into.body.reason, 'step');
    const frames = await stack(dc);
    assert.equal(frames[0].name, 'DxgkDdiBuildPagingBuffer');
    assert.equal(frames[0].line, lineOf(REFERENCE, 'function DxgkDdiBuildPagingBuffer(') + 1);
    assert.equal(frames[1].name, 'DxgkDdiBuildPagingBuffer(Transfer)');
    const top = frames[0].id;

    // Views read through the inspector while the driver is paused.
    const mem = (await dc.request('readMemory', { memoryReference: '0x' + dma.toString(16), count: 64 })) as DebugProtocol.ReadMemoryResponse;
    assert.ok(mem.success, mem.message);
    assert.equal(decodeBase64(mem.body?.data).length, 64);
    const dis = await dc.disassembleRequest({ memoryReference: '0x' + dma.toString(16), instructionCount: 4 });
    assert.equal(dis.body!.instructions.length, 4);
    const segs = await dc.evaluateRequest({ expression: '!segments', frameId: top, context: 'repl' });
    assert.match(segs.body.result, / 1 vram +memory /);
    const state = await dc.customRequest('pagingLab.adapterState');
    assert.ok(((state.body as { segments: unknown[] }).segments).length > 0);

    // JavaScript in the driver frame; DDI-argument expressions still work; errors and endless evaluations answer.
    assert.equal((await evaluate(dc, 'pBuildPagingBuffer.Transfer.TransferSize / 1024', top)).body.result, '256');
    const structure = await evaluate(dc, 'pBuildPagingBuffer.Transfer', top);
    assert.ok(structure.body.variablesReference > 0);
    assert.equal((await vars(dc, structure.body.variablesReference)).get('TransferSize')?.value, '0x40000');
    assert.equal((await evaluate(dc, 'Operation == "Transfer"', top)).body.result, 'true');
    const thrown = await evaluate(dc, 'pBuildPagingBuffer.NoSuch.Member', top);
    assert.equal(thrown.success, false);
    assert.match(thrown.message ?? '', /TypeError: Cannot read properties of undefined/);
    const t0 = Date.now();
    const endless = await evaluate(dc, 'for (;;) {}', top, 'repl');
    assert.equal(endless.success, false);
    assert.match(endless.message ?? '', /did not finish within \d+ ms and was stopped/);
    assert.ok(Date.now() - t0 < 10000);
    const hover = await evaluate(dc, 'hAdapter.lastFence.push(7)', top, 'hover');
    assert.equal(hover.success, false, 'a hover does not run side effects');
    assert.equal((await evaluate(dc, 'hAdapter.lastFence.length', top)).body.result, '1');

    // The GPU thread steps: the driver finishes its call, and the engine stops before its next instruction.
    const gpu = await step(dc, 'next', GPU);
    assert.equal(gpu.body.reason, 'step');
    assert.equal(gpu.body.threadId, GPU);
    const gpuTop = (await stack(dc, GPU))[0];
    assert.match(gpuTop.instructionPointerReference ?? '', /^0x[0-9a-f]+$/);
    assert.ok(!(await stack(dc)).some((f) => f.source?.path === REFERENCE && f.name === 'DxgkDdiBuildPagingBuffer'), 'the driver is no longer on the kernel thread');
  });

  it('Step Back at a driver line goes to the stop before it in the call (its line and locals), and from the first line to the DDI\'s entry; forward again gives the same stops', async () => {
    const entry = (await start(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer', condition: 'Operation == "Transfer"' }] });
    })) as Stopped;
    assert.equal(entry.body.reason, 'function breakpoint');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    /** Where the kernel thread stands: its top frame, and the locals there (driver frames) as text. */
    const where = async (): Promise<string> => {
      const top = (await stack(dc))[0];
      const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes;
      const locals = scopes.find((x) => x.name === 'Locals');
      const values = locals ? [...(await vars(dc, locals.variablesReference))].map(([k, v]) => `${k}=${v.value}`).join(' ') : '';
      return `${top.name} ${top.source?.path ?? ''}:${top.line} ${values}`;
    };
    const atEntry = await where();
    await step(dc, 'stepIn');
    const forward = [await where()];
    // Over the first lines of the call, into a helper and out of it, and over again.
    const steps = ['next', 'next', 'next', 'next', 'next', 'next', 'stepIn', 'stepIn', 'stepOut', 'next'] as const;
    for (const kind of steps) {
      const s = await step(dc, kind);
      assert.equal(s.body.reason, 'step');
      forward.push(await where());
    }
    assert.ok(forward.every((w) => w.includes(REFERENCE) || w.includes('.ts:')), forward.join('\n'));
    assert.ok(new Set(forward).size > 5, `different lines: ${forward.join('\n')}`);
    assert.ok(forward.some((w) => !w.startsWith('DxgkDdiBuildPagingBuffer ')), `a stop in a helper: ${forward.join('\n')}`);
    // A breakpoint set now on a line the steps passed: going back takes the same steps again, and it does not stop them.
    const passed = Number(/driver\.ts:(\d+) /.exec(forward[2])?.[1]);
    assert.ok(passed > 0, forward[2]);
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: passed }] });
    // Back, one stop at a time: each is the one before, line and locals.
    for (let i = forward.length - 2; i >= 0; i--) {
      const back = await step(dc, 'stepBack');
      // On the breakpoint's own line the stop says so, as a step forward onto it does.
      assert.equal(back.body.reason, i === 2 ? 'breakpoint' : 'step');
      assert.equal(await where(), forward[i], `one stop back to stop ${i}`);
    }
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    // From the first line: the kernel's stop at the DDI's entry.
    await step(dc, 'stepBack');
    assert.equal(await where(), atEntry);
    // And forward again: the same stops.
    await step(dc, 'stepIn');
    assert.equal(await where(), forward[0]);
    for (const [i, kind] of steps.entries()) {
      await step(dc, kind);
      assert.equal(await where(), forward[i + 1], `forward again to stop ${i + 1}`);
    }
  });

  it('Step Back from a line reached at a line breakpoint: one step back is the breakpoint\'s stop again, then the DDI\'s entry; Restart Frame on the DDI frame at a driver line', async () => {
    const line = lineOf(REFERENCE, 'const allocation = t.hAllocation as Allocation | null;');
    const stop = (await start(dc, {}, async () => {
      await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line }] });
    })) as Stopped;
    assert.equal(stop.body.reason, 'breakpoint');
    const top = () => topWithLocals(dc);
    const atBreakpoint = await top();
    assert.equal((await step(dc, 'next')).body.reason, 'step');
    assert.equal((await stack(dc))[0].line, line + 1);
    const back = await step(dc, 'stepBack');
    assert.equal(back.body.reason, 'breakpoint');
    assert.equal(await top(), atBreakpoint, 'the breakpoint\'s stop again, its locals too');
    await step(dc, 'stepBack');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\)$/);
    // Forward again: the breakpoint stops there once more.
    const again = await step(dc, 'continue');
    assert.equal(again.body.reason, 'breakpoint');
    assert.equal(await top(), atBreakpoint);
    // Restart Frame on the DDI's kernel frame below the driver's: the call finishes unseen, and the session is at its entry.
    const ddiFrame = (await stack(dc)).find((f) => /^DxgkDdiBuildPagingBuffer\(Transfer\)$/.test(f.name));
    assert.ok(ddiFrame?.canRestart, 'the DDI frame of a driver stop can be restarted');
    const restarted = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('restartFrame', { frameId: ddiFrame.id }));
    assert.equal(restarted.body.reason, 'restart');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\)$/);
    assert.equal((await step(dc, 'continue')).body.reason, 'breakpoint');
    assert.equal(await top(), atBreakpoint);
  });

  it('Step Back after removing the breakpoint the steps began at: the same stops, back to the breakpoint\'s and the DDI\'s entry; the breakpoint stops nowhere', async () => {
    const line = lineOf(REFERENCE, 'const allocation = t.hAllocation as Allocation | null;');
    await start(dc, {}, async () => {
      await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line }] });
    });
    const top = () => topWithLocals(dc);
    const atBreakpoint = await top();
    await step(dc, 'next');
    const afterOne = await top();
    await step(dc, 'next');
    // Removed here: going back in this call still finds where the steps began.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    assert.equal((await step(dc, 'stepBack')).body.reason, 'step');
    assert.equal(await top(), afterOne);
    const again = await step(dc, 'stepBack');
    assert.equal(again.body.reason, 'breakpoint');
    assert.deepEqual(again.body.hitBreakpointIds ?? [], [], 'no breakpoint the client has removed is named');
    assert.equal(await top(), atBreakpoint, 'the stop the steps began at, its locals too');
    await step(dc, 'stepBack');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\)$/);
    // Forward: the breakpoint is gone, the run goes to its end.
    const end = await Promise.race([dc.waitForEvent('stopped', 30000), dc.waitForEvent('terminated', 30000), dc.continueRequest({ threadId: KERNEL }).then(() => new Promise<never>(() => undefined))]);
    assert.equal(end.event, 'terminated', `the run ends, no stop on the way: ${JSON.stringify(end)}`);
  });

  it('Reverse Continue stops at the line breakpoints inside earlier DDI calls, from a kernel stop and from a driver line, each stop as it was going forward; then the beginning', async () => {
    const line = lineOf(REFERENCE, 'const allocation = t.hAllocation as Allocation | null;');
    const first = (await start(dc, {}, async () => {
      await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line }] });
    })) as Stopped;
    assert.equal(first.body.reason, 'breakpoint');
    /** The stop: the kernel thread's frames, and the top frame's locals. */
    const where = async (): Promise<string> => {
      const frames = await stack(dc);
      const locals = (await dc.scopesRequest({ frameId: frames[0].id })).body.scopes.find((x) => x.name === 'Locals');
      const values = locals ? [...(await vars(dc, locals.variablesReference))].map(([k, v]) => `${k}=${v.value}`).join(' ') : '';
      // A transfer too large for one DMA buffer is built over several calls (MultipassOffset tells them apart).
      const pass = (await evaluate(dc, '[pBuildPagingBuffer.MultipassOffset, pBuildPagingBuffer.DmaSize].join()', frames[0].id).catch(() => undefined))?.body.result ?? '-';
      return `pass ${pass}: ${frames.map((f) => `${f.name}:${f.line}`).join(' < ')} | ${values}`;
    };
    const forward = [await where()];
    for (let i = 0; i < 2; i++) {
      assert.equal((await step(dc, 'continue')).body.reason, 'breakpoint');
      forward.push(await where());
    }
    assert.equal(new Set(forward).size, 3, `three different calls: ${forward.join('\n')}`);
    // Out of the call to the kernel's stop at its return, with the breakpoint off, then on again.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    for (let i = 0; i < 4 && !(await stack(dc))[0].name.includes(' → '); i++) await step(dc, 'stepOut');
    const out = await where();
    assert.match(out, /^pass -: DxgkDdiBuildPagingBuffer\(Transfer\) → STATUS_SUCCESS/, out);
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line }] });
    // From the kernel's stop: the breakpoint's pause in the call that just returned.
    const back = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.equal(back.body.reason, 'breakpoint', (await where()) + dc.stderr.join(''));
    assert.equal(await where(), forward[2]);
    // From a driver line: the pause before it, in the call before.
    for (let i = 1; i >= 0; i--) {
      const s = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
      assert.equal(s.body.reason, 'breakpoint');
      assert.equal(await where(), forward[i], `reverse continue to stop ${i}`);
    }
    const beginning = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.match(beginning.body.description ?? '', /beginning of the run/);
    // Forward again: the same stops.
    for (let i = 0; i < 3; i++) {
      assert.equal((await step(dc, 'continue')).body.reason, 'breakpoint');
      assert.equal(await where(), forward[i], `forward again to stop ${i}`);
    }
  });

  it("Reverse Continue with a function breakpoint on the same DDI: from its return, the line breakpoint's pause inside the call first, then the call's entry", async () => {
    const line = lineOf(REFERENCE, 'const allocation = t.hAllocation as Allocation | null;');
    const entry = (await start(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer', condition: 'Operation == "Transfer"' }] });
    })) as Stopped;
    assert.equal(entry.body.reason, 'function breakpoint');
    const atEntry = (await stack(dc))[0].name;
    await step(dc, 'stepOut');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\) → /);
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line }] });
    const first = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.equal(first.body.reason, 'breakpoint');
    assert.equal((await stack(dc))[0].line, line, 'the pause inside the call, later than its entry');
    const second = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.equal(second.body.reason, 'function breakpoint');
    assert.equal((await stack(dc))[0].name, atEntry);
  });

  it('Reverse Continue within one call: back through the iterations of a loop a line breakpoint stops in, a log point passed without a stop or a line; from a stop reached by stepping too', async () => {
    const inLoop = lineOf(REFERENCE, 'const n = Math.min(MAX_COPY_BYTES, transferSize - done);');
    const emitLine = lineOf(REFERENCE, "emit(args, 'copy', [dst, src, n]);");
    const breakpoints = [{ line: inLoop }, { line: emitLine, logMessage: 'copy at {done}' }];
    await start(dc, {}, async () => {
      await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints });
    });
    const done = async (): Promise<string> => {
      const top = (await stack(dc))[0];
      return `${top.name}:${top.line} done=${(await evaluate(dc, 'done', top.id)).body.result}`;
    };
    const forward = [await done()];
    for (let i = 0; i < 4; i++) {
      assert.equal((await step(dc, 'continue')).body.reason, 'breakpoint');
      forward.push(await done());
    }
    assert.ok(forward.some((w, i) => i > 0 && /done=(?!0$)/.test(w)), `stops inside one call's loop: ${forward.join(', ')}`);
    const logged = () => dc.messages.filter((m) => m.event === 'output' && (m.body as { category?: string }).category === 'console').length;
    const logs = logged();
    for (let i = forward.length - 2; i >= 0; i--) {
      const s = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
      assert.equal(s.body.reason, 'breakpoint');
      assert.equal(await done(), forward[i], `reverse continue to stop ${i}`);
    }
    assert.equal(logged(), logs, 'going back writes no log line again');
    // From a stop reached by steps over the loop with the breakpoints off; with them on again, back to the pause the steps began at.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    for (let i = 0; i < 3; i++) await step(dc, 'next');
    const stepped = await done();
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints });
    const s = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal(await done(), forward[0], `from ${stepped}, back to the breakpoint's stop the steps began at`);
  });

  it('Reverse Continue finds a line breakpoint set mid-call on a line that ran before the stop: after a breakpoint pause and after Step In, in the same call', async () => {
    const first = lineOf(REFERENCE, 'const t = args.Transfer;');
    const second = lineOf(REFERENCE, 'const allocation = t.hAllocation as Allocation | null;');
    await start(dc, {}, async () => {
      await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: first }] });
    });
    /** The top line, and which call: the frames below (the DDI's, the kernel's) and the transfer's arguments. */
    const where = async (): Promise<string> => {
      const frames = await stack(dc);
      const what = (await evaluate(dc, '[args.MultipassOffset, args.Transfer.TransferOffset, args.Transfer.TransferSize, args.Transfer.Source.SegmentId].join()', frames[0].id)).body.result;
      return `${frames[0].line} ${frames
        .slice(1)
        .map((f) => f.name)
        .join(' < ')} ${what}`;
    };
    const atFirst = await where();
    // Two steps past the line below the breakpoint's: a breakpoint set there now was never a pause of this call.
    await step(dc, 'next');
    const atSecond = await where();
    await step(dc, 'next');
    const stepped = await where();
    assert.ok(atSecond.startsWith(`${second} `) && !stepped.startsWith(`${second} `), `${atFirst} / ${atSecond} / ${stepped}`);
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: first }, { line: second }] });
    const back = async (): Promise<string> => {
      const s = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
      assert.equal(s.body.reason, 'breakpoint');
      return where();
    };
    assert.equal(await back(), atSecond, 'back to the line set mid-call, in the same call');
    assert.equal(await back(), atFirst, 'then the pause the steps began at');
    // From the call's first line entered by Step In, and steps: the same, with no pause before the stop to count from.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: first }] });
    assert.equal((await step(dc, 'continue')).body.reason, 'breakpoint');
    const later = await where();
    assert.ok(later.startsWith(`${first} `) && later !== atFirst, `a later Transfer: ${later}`);
    await step(dc, 'stepBack');
    assert.equal((await stack(dc))[0].name, 'DxgkDdiBuildPagingBuffer(Transfer)', 'at the kernel stop at the DDI entry');
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    await step(dc, 'stepIn');
    for (let i = 0; i < 6 && !(await where()).startsWith(`${second} `); i++) await step(dc, 'next');
    const enteredSecond = await where();
    assert.ok(enteredSecond.startsWith(`${second} `) && enteredSecond.slice(second.toString().length) === later.slice(first.toString().length), `${enteredSecond} in the call of ${later}`);
    await step(dc, 'next');
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: second }] });
    assert.equal(await back(), enteredSecond, 'back to the line set mid-call in a call entered by Step In');
    // With the breakpoint the steps began at removed, the call cannot be run again to the stop: searched as counted before.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: first }] });
    assert.equal((await step(dc, 'continue')).body.reason, 'breakpoint');
    const third = await where();
    assert.ok(third.startsWith(`${first} `) && third.slice(first.toString().length) !== later.slice(first.toString().length), `another Transfer: ${third}`);
    await step(dc, 'next');
    await step(dc, 'next');
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: second }] });
    assert.equal(await back(), `${second}${third.slice(first.toString().length)}`, 'the line set mid-call, in the same call');
  });

  it('Step Over and Step Out go past log points and hit counts not reached inside the code they run: the log points log, the step ends where it would without them', async () => {
    const call = lineOf(REFERENCE, 'return writeCopies(registers, args, t.Source, t.Destination, t.TransferOffset, t.TransferSize, t.MdlOffset);');
    const inLoop = lineOf(REFERENCE, 'const n = Math.min(MAX_COPY_BYTES, transferSize - done);');
    const emitLine = lineOf(REFERENCE, "emit(args, 'copy', [dst, src, n]);");
    const quiet = [{ line: emitLine, logMessage: 'copy {n} at {done}' }, { line: inLoop, hitCondition: '1000' }];
    await start(dc, {}, async () => {
      await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: call }, ...quiet] });
    });
    assert.equal((await stack(dc))[0].line, call);
    // Over the call: V8 pauses at both inside it, and the step goes on to the DDI's return.
    const logged = consoleOutput(dc).length;
    assert.equal((await step(dc, 'next')).body.reason, 'step');
    const after = (await stack(dc))[0];
    assert.ok(after.name.includes(' → '), `the kernel's stop at the DDI's return, not ${after.name}:${after.line}`);
    assert.match(consoleOutput(dc).slice(logged), /^(copy \d+ at \d+\n){2,}$/, 'the log point logged each pass');
    // Out of writeCopies from its loop: the same, back in DxgkDdiBuildPagingBuffer.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: inLoop }] });
    assert.equal((await step(dc, 'continue')).body.reason, 'breakpoint');
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: quiet });
    assert.equal((await step(dc, 'stepOut')).body.reason, 'step');
    const out = (await stack(dc))[0];
    assert.deepEqual([out.name, out.line], ['DxgkDdiBuildPagingBuffer', call], 'back in the caller, on the line of the call');
  });

  it('conditions (JavaScript over the locals), hit counts and log points on driver lines; a condition that throws stops and says why', async () => {
    const inLoop = lineOf(REFERENCE, 'const n = Math.min(MAX_COPY_BYTES, transferSize - done);');
    const emitLine = lineOf(REFERENCE, "emit(args, 'copy', [dst, src, n]);");
    const advance = lineOf(REFERENCE, '    done += n;');
    let set: DebugProtocol.SetBreakpointsResponse | undefined;
    const stop = (await start(dc, {}, async () => {
      set = await dc.setBreakpointsRequest({
        source: { path: REFERENCE },
        breakpoints: [
          { line: inLoop, condition: 'done >= 0x20000 && transferSize > done' },
          { line: emitLine, logMessage: 'copy {n} bytes at {done}, `{typeof dst}`' },
          { line: advance, condition: 'done >' },
        ],
      });
    })) as Stopped;
    assert.deepEqual(set!.body.breakpoints.map((b) => b.verified), [true, true, false]);
    assert.match(set!.body.breakpoints[2].message ?? '', /^condition: /);
    assert.equal(stop.body.reason, 'breakpoint');
    const top = (await stack(dc))[0];
    assert.equal(top.name, 'writeCopies');
    assert.equal(top.line, inLoop);
    assert.equal((await evaluate(dc, 'done', top.id)).body.result, '131072');
    const logged = dc.messages
      .filter((m) => m.event === 'output' && (m.body as { category?: string }).category === 'console')
      .map((m) => (m.body as { output: string }).output);
    assert.deepEqual(logged.slice(0, 2), ['copy 65536 bytes at 0, `object`\n', 'copy 65536 bytes at 65536, `object`\n']);

    // A hit count: the second time the line runs.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: advance, hitCondition: '2' }] });
    await step(dc, 'continue');
    const second = (await stack(dc))[0];
    assert.equal(second.line, advance);
    assert.equal((await evaluate(dc, 'done', second.id)).body.result, '196608', 'the first hit was in the iteration already stopped in (done 131072)');

    // A condition that throws stops, saying why.
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: advance, condition: 'noSuchName > 1' }] });
    const failed = await step(dc, 'continue');
    assert.equal(failed.body.reason, 'breakpoint');
    assert.match(failed.body.text ?? '', /^The breakpoint condition 'noSuchName > 1' could not be evaluated: ReferenceError: noSuchName is not defined/);
  });

  it('setVariable on a local changes what the driver then writes into the DMA buffer; no replay makes it, so going back before the call drops it, said so, and forward again is the run without it', async () => {
    const emitLine = await startAtCopy(dc);
    const top = (await stack(dc))[0];
    assert.equal(top.line, emitLine);
    const locals = (await dc.scopesRequest({ frameId: top.id })).body.scopes[0];
    assert.equal((await vars(dc, locals.variablesReference)).get('n')?.value, '65536');
    const set = await dc.setVariableRequest({ variablesReference: locals.variablesReference, name: 'n', value: '0x1234' });
    assert.equal(set.body.value, '4660');
    assert.equal((await vars(dc, locals.variablesReference)).get('n')?.value, '4660');
    const at = Number((await evaluate(dc, 'args.pDmaBuffer.PhysicalAddress + args.pDmaBuffer.Offset', top.id)).body.result);
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    const over = await step(dc, 'next');
    assert.equal(over.body.reason, 'step');
    // Out of writeCopies, out of the DDI: the kernel has the paging buffer the driver wrote.
    await step(dc, 'stepOut');
    assert.equal((await stack(dc))[0].name, 'DxgkDdiBuildPagingBuffer');
    await step(dc, 'stepOut');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\) → /);
    const copyAt = async (): Promise<string> => (await dc.disassembleRequest({ memoryReference: '0x' + at.toString(16), instructionCount: 1 })).body!.instructions[0].instruction;
    assert.match(await copyAt(), /^copy .*, 0x1234$/);
    const consoleText = () => consoleOutput(dc);
    assert.match(consoleText(), /Changed n to 4660 while the driver is paused inside a DDI call\. The run goes on with it, but no replay can make it there again/);
    // A recording of this run could not reproduce it: refused, saying what to do.
    const saved = (await dc.request('pagingLab.saveRecording', { file: join(dir, 'edited.paging-lab-recording.json') })) as DebugProtocol.Response;
    assert.equal(saved.success, false);
    assert.match(saved.message ?? '', /change made while the driver was paused inside a DDI call \(n = 0x1234\).*go back before that DDI call/);
    // Back to the call's entry: the change goes, said once; forward again, the driver copies what it did before.
    await step(dc, 'stepBack');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\)$/);
    assert.match(consoleText(), /Going back dropped a change made while the driver was paused inside a DDI call \(n = 0x1234\)/);
    await step(dc, 'stepOut');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\) → /);
    assert.match(await copyAt(), /^copy .*, 0x10000$/);
  });

  it('an assignment in the Debug Console at a driver line is such a change too; a read (of a DDI argument too) is none; a watch or hover that would change the driver is refused', async () => {
    await startAtCopy(dc);
    const top = (await stack(dc))[0];
    const consoleText = () => consoleOutput(dc);
    for (const read of ['n', 'args.Transfer.TransferSize', 'Math.min(n, 3)']) assert.equal((await evaluate(dc, read, top.id, 'repl')).success, true);
    // A watch or a hover is evaluated unasked: one that would change the driver is refused, saying why.
    for (const [expression, context, why] of [['n++', 'watch', /A watch expression is evaluated at every stop/], ['n = 5', 'hover', /A hover is evaluated unasked/]] as const) {
      const r = await evaluate(dc, expression, top.id, context);
      assert.equal(r.success, false, `${context} ${expression}`);
      assert.match(r.message ?? '', /may change the driver's state \(V8 finds a possible side effect\), so it is not evaluated here/);
      assert.match(r.message ?? '', why);
      assert.match(r.message ?? '', /run it in the Debug Console to make the change on purpose/);
    }
    assert.equal((await evaluate(dc, 'n', top.id, 'watch')).body.result, '65536', 'the refused watch and hover left n as it was');
    assert.doesNotMatch(consoleText(), /paused inside a DDI call/, 'reads change nothing');
    assert.equal((await evaluate(dc, 'n = 0x1234', top.id, 'repl')).body.result, '4660');
    assert.match(consoleText(), /Ran `n = 0x1234` while the driver is paused inside a DDI call\. The run goes on with it/);
    const at = Number((await evaluate(dc, 'args.pDmaBuffer.PhysicalAddress + args.pDmaBuffer.Offset', top.id)).body.result);
    const copyAt = async (): Promise<string> => (await dc.disassembleRequest({ memoryReference: '0x' + at.toString(16), instructionCount: 1 })).body!.instructions[0].instruction;
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    for (let i = 0; i < 4 && !(await stack(dc))[0].name.includes(' → '); i++) await step(dc, 'stepOut');
    assert.match(await copyAt(), /^copy .*, 0x1234$/);
    await step(dc, 'stepBack');
    assert.match(consoleText(), /Going back dropped a change made while the driver was paused inside a DDI call \(n = 0x1234\)/);
    await step(dc, 'stepOut');
    assert.match(await copyAt(), /^copy .*, 0x10000$/);
  });

  it('memory written while the driver is paused in a call: the run goes on with it; going back before the call drops it, and the call run again does not make it', async () => {
    await startAtCopy(dc);
    const top = (await stack(dc))[0];
    // The last 4 bytes of the DMA buffer, which this call does not reach.
    const end = Number((await evaluate(dc, 'args.pDmaBuffer.PhysicalAddress + args.DmaSize - 4', top.id)).body.result);
    const ref = '0x' + end.toString(16);
    const read = async (): Promise<string> => decodeBase64(((await dc.request('readMemory', { memoryReference: ref, count: 4 })) as DebugProtocol.ReadMemoryResponse).body?.data).toString('hex');
    const before = await read();
    assert.notEqual(before, 'deadbeef');
    await dc.request('writeMemory', { memoryReference: ref, data: Buffer.from('deadbeef', 'hex').toString('base64') });
    assert.equal(await read(), 'deadbeef');
    const consoleText = () => consoleOutput(dc);
    assert.match(consoleText(), new RegExp(`Wrote 4 bytes at 0x0*${end.toString(16)} while the driver is paused inside a DDI call`));
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    // To the call's return: the bytes are there.
    for (let i = 0; i < 4 && !(await stack(dc))[0].name.includes(' → '); i++) await step(dc, 'stepOut');
    assert.equal(await read(), 'deadbeef');
    // Back to the call's entry and through it again: a replay would have written them before the call's code ran; they are dropped instead.
    await step(dc, 'stepBack');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\)$/);
    assert.match(consoleText(), /Going back dropped a change made while the driver was paused inside a DDI call \(4 bytes written at /);
    await step(dc, 'stepOut');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(Transfer\) → /);
    assert.equal(await read(), before);
  });

  it('`debugger;` stops, also in a tight loop; an uncaught exception stops at its throw in a helper file, a caught one only under its filter', async () => {
    const helper = writeDriver(dir, 'thrower.ts', [
      'export function check(n: number): number {',
      '  if (n > 2) throw new RangeError(`too many: ${n}`);',
      '  return n;',
      '}',
      'export function tolerant(): number {',
      '  try {',
      '    return JSON.parse("{");',
      '  } catch {',
      '    return 0;',
      '  }',
      '}',
    ]);
    const driver = wrapReference(dir, 'debugger-statements.ts', [`import { check, tolerant } from ${JSON.stringify(helper)};`, 'let calls = 0;'], [
      'DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {',
      '  for (let i = 0; i < 3; i++) {',
      '    debugger;',
      '  }',
      '  tolerant();',
      '  check(++calls);',
      '  return ref.DxgkDdiBuildPagingBuffer(h, a);',
      '},',
    ]);
    const first = (await start(dc, { driver }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['driverException', 'driverCaughtException'] });
    })) as Stopped;
    assert.equal(first.body.reason, 'breakpoint');
    assert.equal(first.body.description, 'Paused on a debugger statement');
    const statement = lineOf(driver, 'debugger;');
    assert.equal((await stack(dc))[0].line, statement);
    // Continue, again and again: each pass of the loop stops on the statement.
    for (let i = 0; i < 2; i++) {
      const again = await step(dc, 'continue');
      assert.equal(again.body.reason, 'breakpoint');
      const f = (await stack(dc))[0];
      assert.equal(f.line, statement);
      assert.equal((await evaluate(dc, 'i', f.id)).body.result, String(i + 1));
    }
    // The caught exception (its filter is on): at JSON.parse, in the helper file.
    const caught = await step(dc, 'continue');
    assert.equal(caught.body.reason, 'exception');
    const caughtInfo = await dc.exceptionInfoRequest({ threadId: KERNEL });
    assert.equal(caughtInfo.body.exceptionId, 'driverCaughtException');
    assert.match(caughtInfo.body.description ?? '', /its own code catches it.*SyntaxError/);
    assert.equal((await stack(dc))[0].line, lineOf(helper, 'JSON.parse'));

    // Without that filter the caught one no longer stops; the third call throws uncaught, at its throw line.
    await dc.setExceptionBreakpointsRequest({ filters: ['driverException'] });
    await dc.setBreakpointsRequest({ source: { path: driver }, breakpoints: [] });
    let ex: Stopped | undefined;
    for (let n = 0; n < 12 && !ex; n++) {
      const s = await step(dc, 'continue');
      if (s.body.reason === 'exception') ex = s;
    }
    assert.ok(ex, 'an exception stop');
    const info = await dc.exceptionInfoRequest({ threadId: KERNEL });
    assert.equal(info.body.exceptionId, 'driverException');
    assert.equal(info.body.breakMode, 'unhandled');
    assert.match(info.body.description ?? '', /^The driver threw at .*thrower\.ts:2:\d+: RangeError: too many: 3/);
    const frames = await stack(dc);
    assert.equal(frames[0].source?.path, helper);
    assert.equal(frames[0].line, 2);
    assert.equal(frames[1].source?.path, driver);
    assert.ok(dc.alive);
  });

  it('Step Back from a stop no step leads to (a `debugger;` statement, an exception) and from where steps began: to the stop before it in the call that stops by itself (a line breakpoint, a throw, a statement), else the DDI\'s entry', async () => {
    const helper = writeDriver(dir, 'thrower-back.ts', ['export function tolerant(): number {', '  try {', '    return JSON.parse("{");', '  } catch {', '    return 0;', '  }', '}']);
    const driver = wrapReference(dir, 'debugger-back.ts', [`import { tolerant } from ${JSON.stringify(helper)};`], [
      'DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {',
      '  for (let i = 0; i < 2; i++) {',
      '    debugger;',
      '  }',
      '  const parsed = tolerant();',
      '  return ref.DxgkDdiBuildPagingBuffer(h, a) + parsed;',
      '},',
    ]);
    const statement = lineOf(driver, 'debugger;');
    const bpLine = lineOf(driver, 'const parsed = tolerant();');
    const first = (await start(dc, { driver }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['driverCaughtException'] });
      await dc.setBreakpointsRequest({ source: { path: driver }, breakpoints: [{ line: bpLine }] });
    })) as Stopped;
    assert.equal(first.body.description, 'Paused on a debugger statement');
    const top = async () => {
      const f = (await stack(dc))[0];
      const i = f.source?.path === driver && f.line === statement ? ` i=${(await evaluate(dc, 'i', f.id)).body.result}` : '';
      return `${f.name} ${f.source?.path ?? ''}:${f.line}${i}`;
    };
    const atStatement = await top();
    // No pause at a line breakpoint before it in the call: one back is the DDI's entry.
    await step(dc, 'stepBack');
    const entry = await top();
    assert.match(entry, /^DxgkDdiBuildPagingBuffer\(/);
    // Forward again to the same statement, on through the loop to the breakpoint, and to the caught exception.
    assert.equal((await step(dc, 'continue')).body.description, 'Paused on a debugger statement');
    assert.equal(await top(), atStatement);
    await step(dc, 'continue');
    assert.equal((await step(dc, 'continue')).body.reason, 'breakpoint');
    const atBreakpoint = await top();
    assert.match(atBreakpoint, new RegExp(`:${bpLine}$`));
    assert.equal((await step(dc, 'continue')).body.reason, 'exception');
    assert.equal((await stack(dc))[0].source?.path, helper);
    const atThrow = await top();
    // A step from the exception's stop, and back: the exception's stop again (its steps are retraced from it).
    assert.equal((await step(dc, 'next')).body.reason, 'step');
    assert.notEqual(await top(), atThrow);
    assert.equal((await step(dc, 'stepBack')).body.reason, 'exception');
    assert.equal(await top(), atThrow);
    // Back from the exception: the breakpoint's stop; then the statement's two stops before it, one at a time; then the DDI's entry.
    assert.equal((await step(dc, 'stepBack')).body.reason, 'breakpoint');
    assert.equal(await top(), atBreakpoint);
    for (const i of [1, 0]) {
      assert.equal((await step(dc, 'stepBack')).body.description, 'Paused on a debugger statement');
      assert.equal(await top(), atStatement.replace(/ i=0$/, ` i=${i}`));
    }
    await step(dc, 'stepBack');
    assert.equal(await top(), entry);
  });

  it('Reverse Continue stops at the throws an exception filter stops at, in earlier calls, each with its exception; from a kernel stop and from the throw', async () => {
    const helper = writeDriver(dir, 'thrower-reverse.ts', ['export function tolerant(): number {', '  try {', '    return JSON.parse("{");', '  } catch {', '    return 0;', '  }', '}']);
    const driver = wrapReference(dir, 'throws-reverse.ts', [`import { tolerant } from ${JSON.stringify(helper)};`, 'let calls = 0;'], [
      'DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {',
      '  calls++;',
      '  const parsed = tolerant();',
      '  return ref.DxgkDdiBuildPagingBuffer(h, a) + parsed;',
      '},',
    ]);
    const first = (await start(dc, { driver }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['driverCaughtException'] });
    })) as Stopped;
    assert.equal(first.body.reason, 'exception');
    /** The throw's line, the call it is in (the wrapper's `calls`, one frame down) and the exception. */
    const where = async (): Promise<string> => {
      const frames = await stack(dc);
      const calls = (await evaluate(dc, 'calls', frames[1].id)).body.result;
      const info = await dc.exceptionInfoRequest({ threadId: KERNEL });
      return `${frames[0].source?.path}:${frames[0].line} call ${calls}: ${info.body.exceptionId} ${info.body.description}`;
    };
    const forward = [await where()];
    for (let i = 0; i < 2; i++) {
      assert.equal((await step(dc, 'continue')).body.reason, 'exception');
      forward.push(await where());
    }
    assert.deepEqual(forward.map((w) => /call (\d+)/.exec(w)?.[1]), ['1', '2', '3']);
    for (let i = 0; i < 4 && !(await stack(dc))[0].name.includes(' → '); i++) await step(dc, 'stepOut');
    assert.match((await stack(dc))[0].name, / → /);
    for (let i = 2; i >= 0; i--) {
      const s = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
      assert.equal(s.body.reason, 'exception', `${i} ${JSON.stringify(s.body)} ${(await stack(dc)).map((f) => f.name).join(' < ')}`);
      assert.equal(await where(), forward[i], `reverse continue to the throw in call ${i + 1}`);
    }
    const beginning = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.match(beginning.body.description ?? '', /beginning of the run/);
  });

  it('Reverse Continue stops at `debugger;` statements too: back from one, through the earlier passes of the loop in its call and in the call before', async () => {
    const driver = statementLoop('statements-reverse.ts', 2);
    const first = (await start(dc, { driver }, async () => undefined)) as Stopped;
    assert.equal(first.body.description, 'Paused on a debugger statement');
    const where = async (): Promise<string> => {
      const f = (await stack(dc))[0];
      return `${f.line} call ${(await evaluate(dc, 'calls', f.id)).body.result} i ${(await evaluate(dc, 'i', f.id)).body.result}`;
    };
    const forward = [await where()];
    for (let n = 0; n < 3; n++) {
      assert.equal((await step(dc, 'continue')).body.description, 'Paused on a debugger statement');
      forward.push(await where());
    }
    assert.deepEqual(forward.map((w) => w.replace(/^\d+ /, '')), ['call 1 i 0', 'call 1 i 1', 'call 2 i 0', 'call 2 i 1']);
    for (let n = forward.length - 2; n >= 0; n--) {
      const s = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
      assert.equal(s.body.description, 'Paused on a debugger statement');
      assert.equal(await where(), forward[n], `reverse continue to stop ${n}`);
    }
  });

  it('a `debugger;` statement a step lands on is its pass: Reverse Continue from a later pass stops there, not at the pass before it', async () => {
    const driver = statementLoop('statements-stepped.ts', 3);
    const statementLine = lineOf(driver, '    debugger;');
    await start(dc, { driver }, async () => undefined);
    const where = async (): Promise<string> => {
      const f = (await stack(dc))[0];
      return `${f.line} call ${(await evaluate(dc, 'calls', f.id)).body.result} i ${(await evaluate(dc, 'i', f.id)).body.result}`;
    };
    assert.equal(await where(), `${statementLine} call 1 i 0`);
    // Step Over until a step lands on the statement again (the second pass), then once more over it: V8 runs it without a pause.
    let landed = '';
    for (let n = 0; n < 6 && !landed; n++) {
      assert.equal((await step(dc, 'next')).body.reason, 'step');
      const w = await where();
      if (w.startsWith(`${statementLine} `)) landed = w;
    }
    assert.equal(landed, `${statementLine} call 1 i 1`);
    assert.equal((await step(dc, 'next')).body.reason, 'step');
    assert.notEqual(await where(), landed, 'the step over the statement does not stop at it again');
    const third = await step(dc, 'continue');
    assert.equal(third.body.description, 'Paused on a debugger statement');
    assert.equal(await where(), `${statementLine} call 1 i 2`);
    for (const i of [1, 0]) {
      const s = await expectEvent<Stopped>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
      assert.equal(s.body.description, 'Paused on a debugger statement');
      assert.equal(await where(), `${statementLine} call 1 i ${i}`, `back to the pass with i ${i}`);
    }
  });

  it('a hung driver pauses on its loop line (TDR); going back is refused; Continue lets it run until the TDR fires again; Terminate ends it and the adapter exits cleanly', async () => {
    const first = (await start(dc, { driver: TDR_DRIVER, tdrDelayMs: 300 }, async () => undefined)) as Stopped;
    assert.equal(first.body.reason, 'exception');
    assert.match(first.body.text ?? '', /^TDR: DxgkDdiBuildPagingBuffer has run for \d+\.\d s without returning \(tdrDelayMs is 300\)$/);
    const info = await dc.exceptionInfoRequest({ threadId: KERNEL });
    assert.equal(info.body.exceptionId, 'TDR');
    const loop = lineOf(TDR_DRIVER, 'while (registers!.ReadPagingFence(0) < submitted)');
    const onLoop = async (): Promise<void> => {
      const f = (await stack(dc))[0];
      assert.equal(f.source?.path, TDR_DRIVER);
      assert.ok(f.line >= loop && f.line <= loop + 2, `paused at line ${f.line}, the loop is at ${loop}`);
      assert.equal((await evaluate(dc, 'submitted', f.id)).body.result, '1');
    };
    await onLoop();
    // Going back lets the call finish first, which a hung call never does: refused, saying so.
    const ddiFrame = (await stack(dc)).find((f) => f.canRestart);
    assert.ok(ddiFrame, 'a kernel frame below the driver says it can restart');
    for (const [command, args] of [['stepBack', { threadId: KERNEL }], ['reverseContinue', { threadId: KERNEL }], ['restartFrame', { frameId: ddiFrame.id }]] as const) {
      const back = (await dc.request(command, args)) as DebugProtocol.Response;
      assert.equal(back.success, false, command);
      assert.match(back.message ?? '', /has not returned \(a TDR\)/);
    }
    await onLoop();
    const t0 = Date.now();
    const again = await step(dc, 'continue');
    assert.equal(again.body.reason, 'exception');
    assert.ok(Date.now() - t0 >= 250, 'the TDR fires again after another tdrDelayMs');
    await onLoop();
    await expectEvent(dc, 'terminated', () => dc.terminateRequest());
    assert.ok(dc.alive, 'the adapter outlives its driver');
    const disconnected = await dc.disconnectRequest({});
    assert.ok(disconnected.success);
    assert.deepEqual(await dc.endInput(), { code: 0, signal: null }, 'the adapter process exits by itself once its client is gone');
  });

  it('Pause while driver code runs stops on its current line', async () => {
    await initialize(dc);
    const initialized = dc.waitForEvent('initialized', 30000);
    const launched = dc.launchRequest({ driver: TDR_DRIVER, tdrDelayMs: 600000 } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.configurationDoneRequest();
    await launched;
    // The driver is now spinning in DxgkDdiBuildPagingBuffer (its TDR is ten minutes away).
    await new Promise((r) => setTimeout(r, 1000));
    const paused = await expectEvent<Stopped>(dc, 'stopped', () => dc.pauseRequest({ threadId: KERNEL }));
    assert.equal(paused.body.reason, 'pause');
    const loop = lineOf(TDR_DRIVER, 'while (registers!.ReadPagingFence(0) < submitted)');
    const f = (await stack(dc))[0];
    assert.equal(f.source?.path, TDR_DRIVER);
    assert.ok(f.line >= loop && f.line <= loop + 2, `paused at line ${f.line}, the loop is at ${loop}`);
    // A step from there stays in the driver's loop.
    const stepped = await step(dc, 'next');
    assert.equal(stepped.body.reason, 'step');
    const g = (await stack(dc))[0];
    assert.ok(g.source?.path === TDR_DRIVER && g.line >= loop && g.line <= loop + 2, `stepped to line ${g.line}`);
    await expectEvent(dc, 'terminated', () => dc.terminateRequest());
  });

  it("breakpoints set before launch bind before the driver's first line: a top-level line stops on the first launch; an instruction breakpoint is verified once the driver has loaded; a step off the top level stops at DriverEntry", async () => {
    const driver = wrapReference(dir, 'top-level.ts', ['let calls = 0;', 'const table = [1, 2, 3].map((x) => x * 2);', 'calls = table.length;'], []);
    const tableLine = lineOf(driver, 'const table =');
    await initialize(dc);
    const initialized = dc.waitForEvent('initialized', 30000);
    let launchedAt = 0;
    const launched = dc.launchRequest({ driver } as DebugProtocol.LaunchRequestArguments).then((r) => {
      launchedAt = Date.now();
      return r;
    });
    launched.catch(() => undefined);
    await initialized;
    const set = await dc.setBreakpointsRequest({ source: { path: driver }, breakpoints: [{ line: tableLine }] });
    assert.deepEqual(set.body.breakpoints.map((b) => [b.verified, b.line]), [[true, tableLine]]);
    // A function breakpoint is checked against the driver's files at once; an instruction breakpoint needs the loaded adapter.
    const fn = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }, { name: 'DxgkDdiBuildPagingBufer' }] });
    assert.deepEqual(fn.body.breakpoints.map((b) => [b.verified, b.line]), [[true, lineOf(REFERENCE, 'function DxgkDdiBuildPagingBuffer(')], [false, undefined]]);
    assert.match(fn.body.breakpoints[1].message ?? '', /is not a DDI/);
    const ins = (await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x1000' }] })) as DebugProtocol.SetInstructionBreakpointsResponse;
    assert.equal(ins.body.breakpoints[0].verified, false);
    assert.match(ins.body.breakpoints[0].message ?? '', /once the driver has loaded/);
    const changed: DebugProtocol.BreakpointEvent[] = [];
    dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => changed.push(e));

    // The module's top level: stopped on its line, in the driver's file, before the launch has finished.
    const top = await expectEvent<Stopped>(dc, 'stopped', () => dc.configurationDoneRequest());
    assert.equal(top.body.reason, 'breakpoint');
    assert.deepEqual(top.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.equal((await dc.threadsRequest()).body.threads.map((t) => t.id).includes(KERNEL), true);
    const frames = await stack(dc);
    assert.equal(frames[0].source?.path, driver);
    assert.equal(frames[0].line, tableLine);
    assert.equal((await evaluate(dc, 'calls', frames[0].id)).body.result, '0');
    assert.equal(launchedAt, 0, 'the launch answers once the driver has loaded');

    // Step Over: the next top-level line; once more: off the end of the module, to the kernel's first DDI call.
    const next = await step(dc, 'next');
    assert.equal(next.body.reason, 'step');
    assert.equal((await stack(dc))[0].line, tableLine + 1);
    const entry = await step(dc, 'next');
    assert.equal(entry.body.reason, 'entry');
    assert.match((await stack(dc))[0].name, /^DriverEntry/);
    assert.ok(launchedAt > 0 && (await launched).success);
    const insChanged = changed.find((e) => e.body.breakpoint.id === ins.body.breakpoints[0].id);
    assert.ok(insChanged, `a changed event for the instruction breakpoint: ${JSON.stringify(changed)}`);
    assert.equal(insChanged.body.reason, 'changed');
    assert.equal(insChanged.body.breakpoint.verified, true);
    await dc.customRequest('setInstructionBreakpoints', { breakpoints: [] });

    // The function breakpoint stops where it says.
    const atDdi = await step(dc, 'continue');
    assert.equal(atDdi.body.reason, 'function breakpoint');
    assert.match((await stack(dc))[0].name, /^DxgkDdiBuildPagingBuffer\(/);
    await expectEvent(dc, 'terminated', () => dc.terminateRequest());
  });

  it('restart with driver-line breakpoints: the new run stops on the top-level line and in the DDI again, with locals and stepping', async () => {
    const driver = wrapReference(dir, 'restart.ts', ['let loads = 0;', 'loads++;'], []);
    const topLine = lineOf(driver, 'loads++;');
    const ddiLine = lineOf(REFERENCE, 'const allocation = t.hAllocation as Allocation | null;');
    const { launched, first, set } = await launchStoppedAt(dc, driver, topLine, [{ path: REFERENCE, lines: [ddiLine] }]);
    const inDdi = set[1];
    assert.equal(first.body.reason, 'breakpoint');
    assert.equal((await stack(dc))[0].line, topLine);
    const atDdi = await step(dc, 'continue');
    assert.deepEqual(atDdi.body.hitBreakpointIds, [inDdi.body.breakpoints[0].id]);
    assert.ok((await launched).success);

    for (let round = 0; round < 2; round++) {
      // Restart from the DDI line: the new worker stops on the top level again, then in the DDI.
      const again = await expectEvent<Stopped>(dc, 'stopped', () => dc.customRequest('restart', {}));
      assert.equal(again.body.reason, 'breakpoint');
      const f = (await stack(dc))[0];
      assert.equal(f.source?.path, driver);
      assert.equal(f.line, topLine);
      assert.equal((await evaluate(dc, 'loads', f.id)).body.result, '0', 'a fresh module');
      const ddi = await step(dc, 'continue');
      assert.equal(ddi.body.reason, 'breakpoint');
      const frames = await stack(dc);
      assert.equal(frames[0].source?.path, REFERENCE);
      assert.equal(frames[0].line, ddiLine);
      assert.equal(frames[1].name, 'DxgkDdiBuildPagingBuffer(Transfer)');
      const locals = await scopeVars(dc, frames[0].id, 'Locals');
      assert.ok(locals.has('t') && locals.has('args'));
      await step(dc, 'next');
      assert.equal((await stack(dc))[0].line, ddiLine + 1);
    }
    await expectEvent(dc, 'terminated', () => dc.terminateRequest());
  });

  it('restart while the driver is paused at its top level, on the first launch and after a restart: a fresh load stops there again', async () => {
    const driver = wrapReference(dir, 'restart-top.ts', ['let loads = 0;', 'loads++;'], []);
    const topLine = lineOf(driver, 'loads++;');
    const { launched, first } = await launchStoppedAt(dc, driver, topLine);
    assert.equal(first.body.reason, 'breakpoint');
    for (let round = 0; round < 2; round++) {
      // Before, the restart waited for the paused load to end: no answer, and no new run.
      const again = await expectEvent<Stopped>(dc, 'stopped', () => dc.customRequest('restart', {}));
      assert.equal(again.body.reason, 'breakpoint');
      const f = (await stack(dc))[0];
      assert.equal(f.line, topLine);
      assert.equal((await evaluate(dc, 'loads', f.id)).body.result, '0', 'a fresh module');
    }
    assert.ok((await launched).success, 'the first launch is answered, its load replaced by the restart');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    assert.equal((await step(dc, 'continue')).body.reason, 'function breakpoint');
    await expectEvent(dc, 'terminated', () => dc.terminateRequest());
  });

  it('a request posted while the driver loads, read by the worker only after it paused at a top-level line, is answered at the pause', async () => {
    // The module's top level keeps the worker busy for a second or two once configured; requests
    // sent then wait in its queue, and it pauses at the breakpoint line before reading them.
    const driver = wrapReference(dir, 'busy-top-level.ts', ['let spin = 0;', 'for (let i = 0; i < 1e8; i++) spin += i & 1;', 'export const loaded = spin;'], []);
    await initialize(dc);
    const initialized = dc.waitForEvent('initialized', 30000);
    dc.launchRequest({ driver, tdrDelayMs: 60000 } as DebugProtocol.LaunchRequestArguments).catch(() => undefined);
    await initialized;
    await dc.setBreakpointsRequest({ source: { path: driver }, breakpoints: [{ line: lineOf(driver, 'export const loaded') }] });
    const busy = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = dc.waitForEvent('stopped', 60000);
    await dc.configurationDoneRequest();
    await busy();
    const answers = Promise.all([dc.request('source', { sourceReference: 1 }), dc.request('readMemory', { memoryReference: '0x0', count: 16 })]);
    assert.equal(((await stopped) as Stopped).body.reason, 'breakpoint');
    // Answered while the worker stays paused (before, they waited for it to run again).
    const late = new Promise<'unanswered'>((resolve) => setTimeout(() => resolve('unanswered'), 10000));
    const answered = await Promise.race([answers, late]);
    assert.notEqual(answered, 'unanswered', 'the requests were answered at the pause');
    const [source, memory] = answered as DebugProtocol.Response[];
    assert.match(source.message ?? '', /no paging buffer document 1|the driver is still loading/);
    assert.ok(memory.success || /the driver is still loading/.test(memory.message ?? ''), memory.message);
    assert.equal((await stack(dc))[0].line, lineOf(driver, 'export const loaded'));
    // Going on, the worker skips the requests already answered, loads the driver and runs it.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    assert.equal((await step(dc, 'continue')).body.reason, 'function breakpoint');
    assert.ok((await dc.request('readMemory', { memoryReference: '0x0', count: 16 })).success);
    await expectEvent(dc, 'terminated', () => dc.terminateRequest());
  });

  it('bad input: a file that is not the driver, a line without code, a driver that does not compile, a disconnect while paused', async () => {
    const emptyLine = lineOf(REFERENCE, '/** Bytes of each paging buffer we ask VidMm for. */');
    await initialize(dc);
    const initialized = dc.waitForEvent('initialized', 30000);
    dc.launchRequest({} as DebugProtocol.LaunchRequestArguments).catch(() => undefined);
    await initialized;
    const set = await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: emptyLine }, { line: lineOf(REFERENCE, 'function DxgkDdiPatch(') }] });
    const elsewhere = await dc.setBreakpointsRequest({ source: { path: TDR_DRIVER }, breakpoints: [{ line: 10 }] });
    // The first one is on the module's top level (a constant): it stops while the driver loads.
    const stop = await expectEvent<Stopped>(dc, 'stopped', () => dc.configurationDoneRequest());
    assert.equal((await stack(dc))[0].line, emptyLine + 1);
    // A line without code moves to the next line that has some (the answer says where).
    assert.equal(set.body.breakpoints[0].verified, true);
    assert.equal(set.body.breakpoints[0].line, emptyLine + 1);
    assert.equal(set.body.breakpoints[1].line, lineOf(REFERENCE, 'function DxgkDdiPatch(') + 2);
    assert.equal(elsewhere.body.breakpoints[0].verified, false);
    assert.match(elsewhere.body.breakpoints[0].message ?? '', /not part of the driver being debugged.*driver\.ts, .*swizzling\.ts/);
    const locations = (await dc.request('breakpointLocations', { source: { path: REFERENCE }, line: emptyLine, endLine: emptyLine + 3 })) as DebugProtocol.BreakpointLocationsResponse;
    assert.deepEqual(locations.body.breakpoints.map((b) => b.line), [emptyLine + 1, emptyLine + 3]);
    assert.equal(stop.body.reason, 'breakpoint');
    // The client goes away while the driver is paused: the answer comes, the adapter lets the worker go and ends with its input.
    const gone = await dc.disconnectRequest({});
    assert.ok(gone.success);
    assert.ok(dc.alive);
    assert.deepEqual(await dc.endInput(), { code: 0, signal: null }, 'the adapter process exits by itself once its client is gone');

    // A driver that does not compile: the launch is refused with the file and line.
    const broken = writeDriver(dir, 'broken.ts', ['export function DriverEntry(): number {', '  return 1 +;', '}']);
    const other = new AdapterClient();
    await other.start();
    try {
      await initialize(other);
      const r = (await other.request('launch', { driver: broken })) as DebugProtocol.Response;
      assert.equal(r.success, false);
      assert.match(r.message ?? '', /broken\.ts:2:\d+: error/);
      assert.ok(other.alive);
      assert.deepEqual(other.violations, []);
    } finally {
      await other.close();
    }
  });
});
