// Data breakpoints over the real adapter: on an allocation (its content wherever it lives), on a DMA
// buffer the driver writes, and on an address typed in; the stop says who wrote (the GPU opcode as it
// ran and its address, the driver's DDI call, bus-master DMA, the CPU), or for a watch on reads who
// read. Bad input is refused with a reason.

import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../setup';
import { AdapterClient, expectEvent, initialize, launchAndStop } from './harness';

const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');

function lineWith(file: string, text: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

const KERNEL = 1;
const GPU = 100;
const LAUNCH_TIMEOUT = 30000;
const SYSTEM_MEMORY = 64 * 1024 * 1024;

async function startAtBuild(dc: AdapterClient): Promise<DebugProtocol.StoppedEvent> {
  await initialize(dc);
  const initialized = dc.waitForEvent('initialized', LAUNCH_TIMEOUT);
  const launched = dc.launchRequest({} as DebugProtocol.LaunchRequestArguments);
  launched.catch(() => undefined);
  await initialized;
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
  const first = dc.waitForEvent('stopped', LAUNCH_TIMEOUT);
  await dc.configurationDoneRequest();
  await launched;
  return (await first) as DebugProtocol.StoppedEvent;
}

/** Launches test/debugger/fixtures/copy.pgasm (a fill of vram:0x1000, then a copy of it to vram:0x2000), stopped at its entry. */
async function startCopyProgram(dc: AdapterClient): Promise<void> {
  const stop = await launchAndStop(dc, { program: join(ROOT, 'test', 'debugger', 'fixtures', 'copy.pgasm'), stopOnEntry: true }, async () => undefined, LAUNCH_TIMEOUT);
  assert.equal(stop.event, 'stopped');
}

async function vars(dc: AdapterClient, ref: number): Promise<Map<string, DebugProtocol.Variable>> {
  const r = await dc.variablesRequest({ variablesReference: ref });
  return new Map(r.body.variables.map((v) => [v.name, v]));
}

async function scopesOfTop(dc: AdapterClient): Promise<DebugProtocol.Scope[]> {
  const stack = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames;
  return (await dc.scopesRequest({ frameId: stack[0].id })).body.scopes;
}

async function info(dc: AdapterClient, args: Record<string, unknown>): Promise<DebugProtocol.DataBreakpointInfoResponse> {
  const r = (await dc.request('dataBreakpointInfo', args)) as DebugProtocol.DataBreakpointInfoResponse;
  assert.ok(r.success, r.message);
  return r;
}

/** dataBreakpointInfo for the 'texture' allocation under Adapter -> allocations at the current stop. */
async function textureInfo(dc: AdapterClient): Promise<DebugProtocol.DataBreakpointInfoResponse> {
  const adapter = (await scopesOfTop(dc)).find((s) => s.name === 'Adapter')!;
  const ref = (await vars(dc, adapter.variablesReference)).get('allocations')!.variablesReference;
  const texture = [...(await vars(dc, ref)).keys()].find((n) => /texture/.test(n))!;
  return info(dc, { variablesReference: ref, name: texture });
}

/**
 * Launches `scenario` (a sample), stops at its first DxgkDdiBuildPagingBuffer, sets a data
 * breakpoint on writes to every allocation there, and continues to the end of the run: every stop.
 */
async function everyWriteTo(dc: AdapterClient, scenario: string): Promise<DebugProtocol.StoppedEvent[]> {
  await launchAndStop(dc, { scenario: join(ROOT, 'samples', 'scenarios', `${scenario}.json`) }, async () => {
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
  }, LAUNCH_TIMEOUT);
  const adapter = (await scopesOfTop(dc)).find((s) => s.name === 'Adapter')!;
  const ref = (await vars(dc, adapter.variablesReference)).get('allocations')!.variablesReference;
  const ids: string[] = [];
  for (const name of (await vars(dc, ref)).keys()) ids.push((await info(dc, { variablesReference: ref, name })).body.dataId!);
  assert.ok(ids.length > 0);
  await dc.request('setDataBreakpoints', { breakpoints: ids.map((dataId) => ({ dataId, accessType: 'write' })) });
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const stops: DebugProtocol.StoppedEvent[] = [];
  const ended = dc.waitForEvent('terminated', 60000).then(() => undefined);
  ended.catch(() => undefined);
  for (;;) {
    const next = await Promise.race([expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL })), ended]);
    if (!next || next.event !== 'stopped') return stops;
    stops.push(next);
    assert.ok(stops.length < 200, 'the run ends');
  }
}

/** Continues from stop to stop (at most 40) until one names bytes at an address `done` accepts; every stop, in order. */
async function continueUntil(dc: AdapterClient, done: (address: number) => boolean): Promise<DebugProtocol.StoppedEvent[]> {
  const stops: DebugProtocol.StoppedEvent[] = [];
  for (let n = 0; n < 40; n++) {
    const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    stops.push(s);
    const addr = /bytes at (0x[0-9a-f]+)\)/.exec(s.body.text ?? '');
    if (addr && done(Number(addr[1]))) break;
  }
  return stops;
}

/** Reverse continue from the last of `stops` (data breakpoint `id`'s, going forward): it stops at each earlier one in turn, saying the same on the same thread. */
async function retrace(dc: AdapterClient, stops: DebugProtocol.StoppedEvent[], id: number): Promise<void> {
  for (const earlier of stops.slice(0, -1).reverse()) {
    const back = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.equal(back.body.reason, 'data breakpoint');
    assert.equal(back.body.text, earlier.body.text);
    assert.equal(back.body.threadId, earlier.body.threadId);
    assert.deepEqual(back.body.hitBreakpointIds, [id]);
  }
}

describe('debug adapter: data breakpoints', function () {
  this.timeout(90000);
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

  it('advertises data breakpoints with a byte count', async () => {
    const r = await dc.initializeRequest({ adapterID: 'wddm', linesStartAt1: true, columnsStartAt1: true });
    assert.equal(r.body?.supportsDataBreakpoints, true);
    assert.equal(r.body?.supportsDataBreakpointBytes, true);
  });

  it("on an allocation: stops at the page-in copy and at the eviction copy that write it, naming the opcode and its address", async () => {
    await startAtBuild(dc);
    const i = await textureInfo(dc);
    assert.match(i.body.dataId!, /^alloc:\d+$/);
    assert.deepEqual(i.body.accessTypes, ['write', 'read', 'readWrite']);
    assert.match(i.body.description, /texture/);
    const set = (await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId, accessType: 'write' }] })) as DebugProtocol.SetDataBreakpointsResponse;
    assert.equal(set.body.breakpoints[0].verified, true);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

    // The paging buffer built at this stop copies the texture into VRAM: the first hit is that copy.
    const stops = await continueUntil(dc, (address) => address < SYSTEM_MEMORY);
    for (const s of stops) {
      assert.equal(s.body.reason, 'data breakpoint');
      assert.deepEqual(s.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    }
    const pageIn = stops[0];
    assert.equal(pageIn.body.threadId, GPU);
    assert.match(pageIn.body.text!, /written by GPU engine 0: copy [a-z]+:0x[0-9A-F]+, mdl\(.*\).* at 0x[0-9a-f]+ \(\d+ bytes at 0x[0-9a-f]+\), paging operation Transfer 'texture' MDL -> segment/);
    const evict = stops.at(-1)!;
    assert.ok(stops.length > 1, 'an eviction copy follows the page-in');
    // The eviction copy: a copy from the segment into the MDL's pages (system memory).
    assert.match(evict.body.text!, /written by GPU engine 0: copy mdl\(.*\).*, [a-z]+:0x[0-9A-F]+.* at 0x[0-9a-f]+ \(\d+ bytes at 0x[0-9a-f]+\), paging operation Transfer 'texture' segment -> MDL/);
    assert.equal(evict.body.threadId, GPU);
  });

  it('on reads of an allocation: stops at the page-in copy that reads its pages and at the eviction copy that reads it in VRAM', async () => {
    await startAtBuild(dc);
    const i = await textureInfo(dc);
    const set = (await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId, accessType: 'read' }] })) as DebugProtocol.SetDataBreakpointsResponse;
    assert.equal(set.body.breakpoints[0].verified, true);
    assert.match(set.body.breakpoints[0].message!, /texture.*on reads/);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

    // The paging buffer built at this stop copies the texture in from its pages (a read of system
    // memory); its eviction later reads it out of the segment (a debug address past system memory).
    const stops = await continueUntil(dc, (address) => address >= SYSTEM_MEMORY);
    for (const s of stops) {
      assert.equal(s.body.reason, 'data breakpoint');
      assert.deepEqual(s.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
      assert.doesNotMatch(s.body.text!, /written/, 'a watch on reads does not stop at writes');
    }
    const pageIn = stops[0];
    assert.equal(pageIn.body.threadId, GPU);
    assert.match(pageIn.body.text!, /read by GPU engine 0: copy [a-z]+:0x[0-9A-F]+, mdl\(.*\).* at 0x[0-9a-f]+ \(\d+ bytes at 0x[0-9a-f]+\), paging operation Transfer 'texture' MDL -> segment/);
    const pageInAt = Number(/bytes at (0x[0-9a-f]+)\)/.exec(pageIn.body.text!)![1]);
    assert.ok(pageInAt < SYSTEM_MEMORY, 'the page-in reads the texture where it lives in system memory');
    const evict = stops.at(-1)!;
    assert.ok(stops.length > 1, 'an eviction follows the page-in');
    assert.match(evict.body.text!, /read by GPU engine 0: copy mdl\(.*\).*, [a-z]+:0x[0-9A-F]+.* at 0x[0-9a-f]+ \(\d+ bytes at 0x[0-9a-f]+\), paging operation Transfer 'texture' segment -> MDL/);

    // Going back, the reads are found by running the run again: reverse continue stops at each
    // earlier read stop, saying the same, on the same thread, down to the first.
    await retrace(dc, stops, set.body.breakpoints[0].id!);
    // Before the first read there is none: the beginning of the run.
    const first = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.notEqual(first.body.reason, 'data breakpoint');
    assert.match(first.body.description ?? '', /beginning of the run/);
    assert.ok(dc.alive);
  });

  it('on reads and writes of an allocation: reverse continue retraces the stops going forward, reads found by replay among the logged writes', async () => {
    await startAtBuild(dc);
    const i = await textureInfo(dc);
    const set = (await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId, accessType: 'readWrite' }] })) as DebugProtocol.SetDataBreakpointsResponse;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    let seen = 0;
    const stops = await continueUntil(dc, () => ++seen >= 14);
    // Page-in copies and eviction copies: each reads the allocation on one side and writes it on the
    // other, one stop each, named by the read it makes first.
    assert.ok(stops.some((s) => /MDL -> segment/.test(s.body.text!)) && stops.some((s) => /segment -> MDL/.test(s.body.text!)), 'page-in and eviction copies');
    await retrace(dc, stops, set.body.breakpoints[0].id!);
  });

  it("on a DMA buffer: stops on the driver's line that wrote it, naming the DDI call", async () => {
    await startAtBuild(dc);
    const args = (await scopesOfTop(dc)).find((s) => s.name.startsWith('Arguments'))!;
    const i = await info(dc, { variablesReference: args.variablesReference, name: 'pDmaBuffer' });
    assert.match(i.body.dataId!, /^mem:0x[0-9a-f]+:\d+$/);
    const set = (await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId }] })) as DebugProtocol.SetDataBreakpointsResponse;
    assert.equal(set.body.breakpoints[0].verified, true);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    assert.equal(s.body.reason, 'data breakpoint');
    assert.equal(s.body.threadId, KERNEL);
    // The stop is on the driver's line that wrote the bytes (writeInstruction in emit()), above the
    // line that called it and the DDI that returned.
    const writeLine = lineWith(REFERENCE, 'const n = writeInstruction(p.Bytes, p.Offset, mnemonic');
    assert.match(s.body.text!, new RegExp(`written by the driver in DxgkDdiBuildPagingBuffer #\\d+ \\(Transfer\\) at driver\\.ts:${writeLine}: \\d+ bytes? at 0x`));
    const stack = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames;
    assert.equal(stack[0].source?.path, REFERENCE);
    assert.equal(stack[0].line, writeLine);
    assert.match(stack[0].name, /^wrote the watched bytes: const n = writeInstruction/);
    assert.equal(stack[1].line, lineWith(REFERENCE, "emit(args, 'copy'"));
    assert.ok(stack.some((f) => /DxgkDdiBuildPagingBuffer\(Transfer\) → STATUS_SUCCESS/.test(f.name)), 'the DDI that returned is below');
  });

  it("on an MDL whose pages are scattered: stops at the copy that reads them and at the eviction copy that writes them", async () => {
    await startAtBuild(dc);
    // The first paging operation copies the texture from its MDL into a segment.
    const args = (await scopesOfTop(dc)).find((s) => s.name.startsWith('Arguments'))!;
    const transfer = (await vars(dc, args.variablesReference)).get('Transfer')!;
    const source = (await vars(dc, transfer.variablesReference)).get('Source')!;
    const mdl = (await vars(dc, source.variablesReference)).get('pMdl')!;
    assert.equal(mdl.type, 'MDL');
    const i = await info(dc, { variablesReference: source.variablesReference, name: 'pMdl' });
    assert.match(i.body.dataId!, /^mdl:[0-9a-f]+\+[0-9a-f]+(,[0-9a-f]+\+[0-9a-f]+)+$/, 'more than one range');
    assert.match(i.body.description, /^pMdl: MDL of 524288 bytes from 0x[0-9a-f]+ \(\d+ ranges of system memory\)$/);
    const set = (await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId, accessType: 'readWrite' }] })) as DebugProtocol.SetDataBreakpointsResponse;
    assert.equal(set.body.breakpoints[0].verified, true, set.body.breakpoints[0].message);
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const read = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    assert.equal(read.body.reason, 'data breakpoint');
    assert.equal(read.body.threadId, GPU);
    assert.match(read.body.text!, /^MDL of 524288 bytes .* read by GPU engine 0: copy [a-z]+:0x[0-9A-F]+, mdl\(.*\).* paging operation Transfer 'texture' MDL -> segment/);
    // The other sub-transfers of the page-in read the rest; later the eviction writes them.
    const stops = [read];
    while (!/ written by /.test(stops.at(-1)!.body.text!)) {
      stops.push(await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL })));
      assert.ok(stops.length < 40, 'the eviction comes');
    }
    const write = stops.at(-1)!;
    assert.match(write.body.text!, /written by GPU engine 0: copy mdl\(.*\).*, [a-z]+:0x[0-9A-F]+.* paging operation Transfer 'texture' segment -> MDL/);
    assert.deepEqual(write.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.ok(stops.slice(0, -1).every((x) => / read by GPU engine 0: copy .* MDL -> segment/.test(x.body.text!)));
    // Going back: the last read again (found by replay).
    const back = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.request('reverseContinue', { threadId: KERNEL }));
    assert.equal(back.body.text, stops.at(-2)!.body.text);
    // What describes no memory of this machine is refused, with a reason.
    const bad = (await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: 'mdl:fffff000+2000' }, { dataId: 'mdl:2000+10,1000+10' }] })) as DebugProtocol.SetDataBreakpointsResponse;
    assert.equal(bad.body.breakpoints[0].verified, false);
    assert.match(bad.body.breakpoints[0].message!, /past the end of system memory/);
    assert.match(bad.body.breakpoints[1].message!, /is not a data breakpoint id this adapter made/);
  });

  it('fires on a bus-master DMA transfer and on writes by the CPU, naming who wrote and the scenario step', async () => {
    const dma = await everyWriteTo(dc, 'bus-master-dma');
    const byDma = dma.filter((s) => /written by bus-master DMA \(step \d+: dma-transfer /.test(s.body.text!));
    assert.ok(byDma.length > 0, dma.map((s) => s.body.text).join('\n'));
    assert.ok(byDma.every((s) => s.body.reason === 'data breakpoint' && s.body.threadId === KERNEL));
    assert.deepEqual(dc.violations, [], 'every message the adapter sent validates against the DAP schema');
    await dc.close();
    dc = new AdapterClient();
    await dc.start();
    const cpu = await everyWriteTo(dc, 'cpu-access');
    assert.ok(cpu.some((s) => /written by the CPU through a lock or the BAR, or the kernel writing memory \(step \d+: write /.test(s.body.text!)), cpu.map((s) => s.body.text).join('\n'));
    assert.ok(!cpu.concat(dma).some((s) => /written by the host/.test(s.body.text!)), 'every host write names its writer');
  });

  it('names the instruction as it ran, though its paging buffer holds the next operation by the time the run stops', async () => {
    // cpu-access's last eviction ends its paging buffer with an unswizzle; the stop comes after the
    // kernel has begun building the next operation in the same buffer.
    const stops = await everyWriteTo(dc, 'cpu-access');
    const gpu = stops.filter((s) => s.body.threadId === GPU);
    assert.ok(gpu.length > 3, stops.map((s) => s.body.text).join('\n'));
    for (const s of gpu) assert.match(s.body.text!, /written by GPU engine 0: (copy|fill|swizzle|unswizzle) \S/, s.body.text);
    assert.ok(gpu.some((s) => /unswizzle .* at 0x80000 .*segment -> MDL/.test(s.body.text!)), gpu.map((s) => s.body.text).join('\n'));
  });

  it('counts hits and evaluates conditions', async () => {
    await startAtBuild(dc);
    const i = await textureInfo(dc);
    // The first copy into VRAM is hit 1: a hit count of 2 skips it.
    const set = (await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId, hitCondition: '2' }, { dataId: i.body.dataId, condition: 'pagingFence > 1000000' }] })) as DebugProtocol.SetDataBreakpointsResponse;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    assert.equal(s.body.reason, 'data breakpoint');
    assert.deepEqual(s.body.hitBreakpointIds, [set.body.breakpoints[0].id], 'only the hit count stops; the condition is never true');
  });

  it('in a .pgasm program: stops after the opcode that wrote the range, naming it and its line', async () => {
    await startCopyProgram(dc);
    // vram:0x2000 (segment 1 at 2^40): written by the copy, not by the fill.
    const i = await info(dc, { name: '0x10000002000', asAddress: true, bytes: 4 });
    await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId }] });
    const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: GPU }));
    assert.equal(s.body.reason, 'data breakpoint');
    assert.match(s.body.text!, /^4 bytes at 0x10000002000 written by copy vram:0x2000, vram:0x1000, 0x100 at copy\.pgasm:6 \(256 bytes at 0x10000002000\)$/);
  });

  it('in a .pgasm program: a watch on reads stops after the opcode that read the range, not the one that wrote it', async () => {
    await startCopyProgram(dc);
    // vram:0x1000: written by the fill, read by the copy.
    const i = await info(dc, { name: '0x10000001000', asAddress: true, bytes: 4 });
    assert.deepEqual(i.body.accessTypes, ['write', 'read', 'readWrite']);
    await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId, accessType: 'read' }] });
    const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: GPU }));
    assert.equal(s.body.reason, 'data breakpoint');
    assert.match(s.body.text!, /^4 bytes at 0x10000001000 read by copy vram:0x2000, vram:0x1000, 0x100 at copy\.pgasm:6 \(256 bytes at 0x10000001000\)$/);
  });

  it('in a .pgasm program: a watch on reads and writes stops at the fill that writes the range, then at the copy that reads it', async () => {
    await startCopyProgram(dc);
    const i = await info(dc, { name: '0x10000001000', asAddress: true, bytes: 4 });
    await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: i.body.dataId, accessType: 'readWrite' }] });
    const fill = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: GPU }));
    assert.match(fill.body.text!, /^4 bytes at 0x10000001000 written by fill vram:0x1000, 0x100, 0xDEADBEEF at copy\.pgasm:5 /);
    const copy = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: GPU }));
    assert.match(copy.body.text!, /^4 bytes at 0x10000001000 read by copy vram:0x2000, vram:0x1000, 0x100 at copy\.pgasm:6 /);
  });

  it('refuses an unmapped address, a zero length, an id it did not make and a bad hit count, with a reason; takes a watch on reads', async () => {
    await startAtBuild(dc);
    const unmapped = await info(dc, { name: '0x7f000000', asAddress: true, bytes: 4 });
    assert.equal(unmapped.body.dataId, null);
    assert.match(unmapped.body.description, /not mapped/);
    const zero = await info(dc, { name: '0x1000', asAddress: true, bytes: 0 });
    assert.equal(zero.body.dataId, null);
    assert.match(zero.body.description, /at least 1 byte/);
    const ok = await info(dc, { name: '0x1000', asAddress: true, bytes: 16 });
    assert.equal(ok.body.dataId, 'mem:0x1000:16');
    const set = (await dc.request('setDataBreakpoints', {
      breakpoints: [{ dataId: ok.body.dataId, accessType: 'read' }, { dataId: 'mem:0x7f000000:4' }, { dataId: 'nonsense' }, { dataId: ok.body.dataId, hitCondition: 'often' }],
    })) as DebugProtocol.SetDataBreakpointsResponse;
    const b = set.body.breakpoints;
    assert.deepEqual(b.map((x) => x.verified), [true, false, false, false]);
    assert.match(b[0].message!, /16 bytes at 0x1000, on reads \(reverse continue finds them by running the run again/);
    assert.match(b[1].message!, /not mapped/);
    assert.match(b[2].message!, /not a data breakpoint id/);
    assert.match(b[3].message!, /hit count/);
    const plain = await info(dc, { name: 'Operation' });
    assert.equal(plain.body.dataId, null);
    assert.ok(dc.alive);
  });
});
