// Who wrote a byte, over the real adapter: `!who` in the Debug Console and the pagingLab.whoWrote
// request name the GPU instruction, the DxgkDdiBuildPagingBuffer call and the driver's line; the
// corruption drill goes from the end-of-run content failure of a buggy driver to its guilty line.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT } from '../setup';
import { AdapterClient, adapterPerTest, decodeBase64, expectEvent, launchAndStop } from './harness';
import { debugAddressOfSegment } from '../../src/sim/hw';
import type { WhoWroteResponse } from '../../src/debugger/customRequests';

const KERNEL = 1;
const GPU = 100;
const LAUNCH_TIMEOUT = 30000;
const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');
const BUGGY = join(ROOT, 'samples', 'drivers', 'buggy', 'content', 'sub-transfer-wrong-byte.ts');

function lineWith(file: string, text: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

async function launch(dc: AdapterClient, args: Record<string, unknown>, configure: () => Promise<void>): Promise<DebugProtocol.StoppedEvent> {
  return (await launchAndStop(dc, args, configure, LAUNCH_TIMEOUT)) as DebugProtocol.StoppedEvent;
}

async function who(dc: AdapterClient, expression: string): Promise<string> {
  const r = await dc.evaluateRequest({ expression, context: 'repl' });
  return r.body.result;
}

describe('debug adapter: who wrote this byte', function () {
  this.timeout(90000);
  // A fresh adapter per test, every message it sent validated against the DAP schema after it.
  const client = adapterPerTest();
  let dc: AdapterClient;
  beforeEach(() => {
    dc = client();
  });

  it("!who on a byte of a paged-in allocation names the transfer opcode, the DDI call and the driver's line", async () => {
    // Stop once the texture's first page-in copy has run: a data breakpoint on the texture.
    await launch(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    });
    const info = (await dc.request('dataBreakpointInfo', { name: '0x20000000000', asAddress: true, bytes: 1 })) as DebugProtocol.DataBreakpointInfoResponse;
    await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId }] });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    assert.equal(s.body.reason, 'data breakpoint');

    const text = await who(dc, '!who 0x20000000010');
    assert.match(text, /^0x20000000010:/);
    assert.match(text, /GPU instruction: copy local:0x0, mdl\(phys:0x[0-9A-F]+\)\+0x0, 0x10000 {2}\(instruction at 0x[0-9a-f]+ on engine 0, submission \d+/);
    assert.match(text, /DDI call: DxgkDdiBuildPagingBuffer #\d+ \(Transfer, MultipassOffset 0, flags [A-Za-z|]*TransferStart/);
    const emitLine = lineWith(REFERENCE, "emit(args, 'copy'");
    assert.ok(text.includes(`driver line: ${REFERENCE}:${emitLine}:`), `names the reference driver's copy line ${emitLine}:\n${text}`);
    assert.match(text, /VidMm: page in 'texture'/);
    assert.match(text, /scenario step: step \d+: render/);

    // The same as a request, with links: the instruction to open in Disassembly, the line to open.
    const r = (await dc.customRequest('pagingLab.whoWrote', { memoryReference: '0x20000000010', length: 1 })) as unknown as { body: WhoWroteResponse };
    const piece = r.body.pieces[0];
    assert.equal(r.body.space, 'vram');
    const instr = piece.links.find((l) => l.kind === 'instruction')!;
    assert.match(instr.memoryReference!, /^0x[0-9a-f]+$/);
    assert.ok(instr.moment! > 0);
    // The driver's frames, innermost first: writeInstruction in emit(), then the copy line that called it.
    const lines = piece.links.filter((l) => l.kind === 'driver-line').map((l) => `${l.location!.path}:${l.location!.line}`);
    assert.ok(lines.includes(`${REFERENCE}:${emitLine}`), lines.join('\n'));

    // A range: its history lists the writes in order (one copy so far), and bad input is refused with a reason.
    const h = (await dc.customRequest('pagingLab.whoWrote', { memoryReference: '0x20000000000', length: 16, history: true })) as unknown as { body: WhoWroteResponse };
    assert.equal(h.body.history!.length, 1);
    assert.match(h.body.history![0].writer, /^GPU engine 0, instruction at 0x/);
    const bad = await dc.request('pagingLab.whoWrote', { memoryReference: '0x7f000000' });
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /not in system memory or in a segment/);
    assert.match(await who(dc, '!who 0x3F00000'), /never written in this run/);
  });

  it("answers while a breakpoint sits on the driver line it replays (the replay does not stop there)", async () => {
    const emitLine = lineWith(REFERENCE, "emit(args, 'copy'");
    await launch(dc, {}, async () => {
      await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: emitLine }] });
    });
    // Stopped on the driver's copy line inside the first Transfer: where its DMA buffer is.
    const top = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0];
    assert.equal(top.line, emitLine);
    const bufferStart = Number((await dc.evaluateRequest({ expression: 'args.pDmaBuffer.PhysicalAddress', frameId: top.id, context: 'repl' })).body.result);
    assert.ok(bufferStart > 0);
    // On to the DDI that comes after the build (the breakpoint off, then on again).
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [] });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiPatch' }] });
    const patch = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    assert.equal(patch.body.reason, 'function breakpoint');
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: emitLine }] });
    const text = await who(dc, `!who 0x${bufferStart.toString(16)}`);
    assert.ok(text.includes(`driver line: ${REFERENCE}:${emitLine}:`), text);
    assert.ok(dc.alive);
  });

  it('corruption drill: from the end-of-run content failure, !who on the bad byte reaches the guilty driver line', async () => {
    const stop = await launch(dc, { driver: BUGGY }, async () => undefined);
    // The run's content check fails: the verifier stop says which byte of which allocation, and where it lives.
    assert.equal(stop.body.reason, 'exception');
    const ex = (await dc.exceptionInfoRequest({ threadId: KERNEL })).body;
    const m = /content of '(\w+)' is wrong at byte (\d+) .*resident in segment (\d+) at (0x[0-9a-f]+)/.exec(ex.description ?? '');
    assert.ok(m, ex.description);
    const address = Number(m[3]) * 2 ** 40 + Number(m[4]) + Number(m[2]);
    const text = await who(dc, `!who 0x${address.toString(16)}`);
    assert.match(text, /GPU instruction: copy [a-z]+:0x[0-9A-F]+, mdl\([^)]*\)\+0x[0-9A-F]+, 1 {2}\(instruction at/, `the lone one-byte copy wrote it:\n${text}`);
    assert.match(text, /DDI call: DxgkDdiBuildPagingBuffer #\d+ \(Transfer, MultipassOffset [1-9]\d*/, 'in a sub-transfer that resumes a split transfer');
    const guilty = lineWith(BUGGY, '// GUILTY');
    assert.ok(text.includes(`driver line: ${BUGGY}:${guilty}:`), `leads to the guilty line ${guilty}:\n${text}`);
  });

  it('names the instruction a GPU step ran ahead of the kernel (stopped at a DDI call), and the debugger for a writeMemory', async () => {
    await launch(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    });
    const local = debugAddressOfSegment(2);
    const read = async (): Promise<Buffer> => {
      const r = (await dc.request('readMemory', { memoryReference: `0x${local.toString(16)}`, count: 2 << 20 })) as DebugProtocol.ReadMemoryResponse;
      return decodeBase64(r.body?.data);
    };
    // Step the GPU until an opcode writes the local segment while the kernel stays at its DDI call.
    let changed = -1;
    for (let i = 0; i < 12 && changed < 0; i++) {
      const before = await read();
      const s = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.request('next', { threadId: GPU }));
      const after = await read();
      if (s.body.reason === 'step') changed = before.findIndex((b, j) => b !== after[j]);
    }
    assert.ok(changed >= 0, 'a GPU step wrote the local segment');
    const address = `0x${(local + changed).toString(16)}`;
    const text = await who(dc, `!who ${address}`);
    assert.match(text, /by GPU engine 0, instruction at 0x[0-9a-f]+/, `the opcode the step ran:\n${text}`);
    assert.match(text, /DDI call: DxgkDdiBuildPagingBuffer #\d+ \(Transfer/);

    // A byte the debugger wrote there is the debugger's.
    const w = (await dc.request('writeMemory', { memoryReference: address, data: Buffer.from([0x5a]).toString('base64') })) as DebugProtocol.WriteMemoryResponse;
    assert.ok(w.success, w.message);
    assert.match(await who(dc, `!who ${address}`), /the debugger \(writeMemory\)/);
  });

  it('goes to the moment a byte was written (pagingLab.goToMoment), with the memory of that moment; a moment not yet reached is refused', async () => {
    await launch(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    });
    const info = (await dc.request('dataBreakpointInfo', { name: '0x20000000000', asAddress: true, bytes: 1 })) as DebugProtocol.DataBreakpointInfoResponse;
    await dc.request('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId }] });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.continueRequest({ threadId: KERNEL }));
    const read = async (): Promise<string> => ((await dc.request('readMemory', { memoryReference: '0x20000000000', count: 0x10000 })) as DebugProtocol.ReadMemoryResponse).body!.data!;
    const written = await read();
    const r = (await dc.customRequest('pagingLab.whoWrote', { memoryReference: '0x20000000010', length: 1 })) as unknown as { body: WhoWroteResponse };
    const moment = r.body.pieces[0].moment!;
    assert.ok(moment > 0, 'the byte was written at a moment of the run');
    await dc.setDataBreakpointsRequest({ breakpoints: [] });
    for (let i = 0; i < 5; i++) await expectEvent(dc, 'stopped', () => dc.nextRequest({ threadId: KERNEL }));

    const there = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.customRequest('pagingLab.goToMoment', { moment }));
    assert.equal(there.body.reason, 'goto');
    assert.equal(there.body.threadId, GPU, 'on the thread of the moment: the GPU engine whose copy wrote the bytes');
    assert.equal(await read(), written, 'the memory of the moment the bytes were written');
    assert.match(await who(dc, '!who 0x20000000010'), new RegExp(`written at moment ${moment} `));
    // Just before it, the bytes were not written yet.
    await expectEvent(dc, 'stopped', () => dc.customRequest('pagingLab.goToMoment', { moment: moment - 1 }));
    assert.match(await who(dc, '!who 0x20000000010'), /never written in this run/);

    await assert.rejects(dc.customRequest('pagingLab.goToMoment', { moment: 1e9 }), /moment 1000000000 has not happened in this run: it has reached moment \d+/);
    await assert.rejects(dc.customRequest('pagingLab.goToMoment', { moment: -1 }), /moment/);
    // A command without its argument says which, and the command's usage.
    await assert.rejects(dc.evaluateRequest({ expression: '!who', context: 'repl' }), /missing ADDR: usage !who ADDR \[LENGTH\] \[history\]/);
    // The session goes on from where it stood.
    assert.match(await who(dc, '!who 0x20000000010'), /never written in this run/);

    // Moment 0 is before the run's first event: the beginning of the run, and the session goes on from there.
    const start = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.customRequest('pagingLab.goToMoment', { moment: 0 }));
    assert.equal(start.body.reason, 'goto');
    assert.match(start.body.text ?? '', /moment 1, the beginning of the run/);
    await expectEvent(dc, 'stopped', () => dc.customRequest('pagingLab.goToMoment', { moment }));
    assert.equal(await read(), written);
  });
});
