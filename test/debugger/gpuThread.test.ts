// The GPU thread and the kernel's frames as a client focuses them, over the real adapter: a GPU
// frame always has a source (the paging buffer as a read-only pgasm document the `source` request
// serves, whose text assembles back to the buffer's bytes; for an idle engine, a note saying what it
// waits for, on a frame drawn as a label), a GPU step
// makes progress on the GPU thread while a DDI breakpoint is enabled, a DDI frame after its return
// points at its `return` (or closing brace), and a verifier stop puts the offending line on top
// with the DDI under it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { assemble } from '../../src/isa/assembler';
import { ROOT } from '../setup';
import { adapterPerTest, decodeBase64, expectEvent, launchAndStop } from './harness';

const KERNEL = 1;
const GPU = 100;
const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');
const hexAddr = (n: number): string => '0x' + n.toString(16);

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n');
}

async function top(dc: ReturnType<ReturnType<typeof adapterPerTest>>, threadId: number): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId })).body.stackFrames;
}

describe('debug adapter: GPU frames and kernel frames as a client focuses them', function () {
  this.timeout(90000);
  const client = adapterPerTest();

  it('gives a GPU frame the paging buffer as a pgasm document that assembles back to its bytes, one line per instruction', async () => {
    const dc = client();
    await launchAndStop(dc, { stopOnEntry: true }, async () => undefined);
    // Before any work the engine is idle: a label frame, named, whose source is a note saying what
    // it waits for (a frame with a source is one VS Code can focus, so F10 then steps this thread).
    const idle = (await top(dc, GPU))[0];
    assert.match(idle.name, /^engine 0 idle, waiting for work \(fence \d+ done\)$/);
    assert.equal(idle.presentationHint, 'label');
    assert.equal(idle.source?.name, 'engine 0 idle.pgasm');
    const note = (await dc.request('source', { source: idle.source, sourceReference: idle.source?.sourceReference })) as DebugProtocol.SourceResponse;
    assert.match(note.body.content, /^; GPU paging engine 0: idle, waiting for work \(fence \d+ done\)\.\n; No paging buffer is queued to it\./);
    assert.deepEqual(assemble(note.body.content).diagnostics.filter((d) => d.severity === 'error'), [], 'the note is valid pgasm (comments)');

    const atGpu = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    assert.equal(atGpu.body.threadId, GPU);
    const frame = (await top(dc, GPU))[0];
    const src = frame.source!;
    assert.ok(src, 'the GPU frame has a source');
    assert.ok((src.sourceReference ?? 0) > 0, 'made by the adapter');
    assert.match(src.name ?? '', /^submission \d+ at 0x[0-9a-f]+\.pgasm$/);
    assert.equal(frame.column, 1);
    const r = (await dc.request('source', { source: src, sourceReference: src.sourceReference })) as DebugProtocol.SourceResponse;
    assert.ok(r.success, r.message);
    const text = r.body.content;
    const textLines = text.split('\n');
    const instruction = frame.name.split('  [')[0];
    assert.equal(textLines[frame.line - 1].trim().split(/\s+;/)[0].trim(), instruction, `line ${frame.line} is the instruction about to run`);

    // The whole document assembles to the bytes of the buffer its first line names, which holds the
    // instruction pointer (the engine has not picked the buffer up yet: its registers say none).
    const header = /^; Paging buffer of submission \d+ on GPU paging engine 0: (\d+) bytes at (0x[0-9a-f]+)\.$/.exec(textLines[0]);
    assert.ok(header, textLines[0]);
    const length = Number(header[1]);
    const ipAddress = Number(frame.instructionPointerReference);
    assert.ok(ipAddress >= Number(header[2]) && ipAddress < Number(header[2]) + length, 'the document is the buffer the engine runs');
    const mem = (await dc.request('readMemory', { memoryReference: header[2], count: length })) as DebugProtocol.ReadMemoryResponse;
    const asm = assemble(text);
    assert.deepEqual(asm.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    assert.deepEqual([...asm.bytes.subarray(0, length)], [...decodeBase64(mem.body?.data)], 'the document assembles to the buffer');

    // One step: the next line of the same document.
    await expectEvent(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
    const next = (await top(dc, GPU))[0];
    assert.equal(next.source?.sourceReference, src.sourceReference, 'the same buffer, the same document');
    assert.ok(next.line > frame.line, `the marker moved down: ${frame.line} -> ${next.line}`);
    assert.equal(textLines[next.line - 1].trim().split(/\s+;/)[0].trim(), next.name.split('  [')[0]);

    // A reference the session never made is refused with a reason, and the adapter goes on.
    const bad = (await dc.request('source', { sourceReference: 999999 })) as DebugProtocol.Response;
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /no paging buffer document 999999/);
    const file = (await dc.request('source', { source: { path: REFERENCE }, sourceReference: 0 })) as DebugProtocol.Response;
    assert.equal(file.success, false);
    assert.match(file.message ?? '', /is a file/);
  });

  it('steps the GPU thread while a DxgkDdiBuildPagingBuffer breakpoint is enabled: the GPU runs its instruction before the kernel goes on', async () => {
    const dc = client();
    const first = (await launchAndStop(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    })) as DebugProtocol.StoppedEvent;
    assert.equal(first.body.reason, 'function breakpoint');
    // Until a paging buffer is submitted the engine has nothing to run, and the breakpoint wins, as
    // in any multi-threaded debugger; once it has work, every GPU step ends on the GPU thread, one
    // instruction further, the kernel still at the same DDI call.
    let gpuSteps = 0;
    let ip: number | undefined;
    let kernelTop = '';
    for (let i = 0; i < 40 && gpuSteps < 4; i++) {
      const stop = await expectEvent<DebugProtocol.StoppedEvent>(dc, 'stopped', () => dc.nextRequest({ threadId: GPU }));
      const gpu = (await top(dc, GPU))[0];
      const kernel = (await top(dc, KERNEL))[0];
      if (stop.body.threadId !== GPU) {
        assert.equal(stop.body.reason, 'function breakpoint', 'only the breakpoint stops the kernel thread');
        ip = undefined;
        continue;
      }
      assert.equal(stop.body.reason, 'step');
      const now = Number(gpu.instructionPointerReference);
      if (ip !== undefined && gpu.source?.sourceReference !== undefined) {
        const dis = (await dc.disassembleRequest({ memoryReference: hexAddr(ip), instructionCount: 2 })).body!.instructions;
        // One instruction executed: the engine is at the next one, or, after a buffer's last, at the
        // first of the next buffer it was given.
        if (/end of paging buffer/.test(dis[1].instruction)) assert.match(gpu.name, /\+0x0\]$/, `after the buffer's last instruction, the next buffer's first: ${gpu.name}`);
        else assert.equal(now, Number(dis[1].address), `one instruction executed: ${JSON.stringify(dis)} from ${hexAddr(ip)} to ${hexAddr(now)}`);
        assert.equal(kernel.name, kernelTop, 'the kernel did not go on');
        gpuSteps++;
      }
      ip = now;
      kernelTop = kernel.name;
    }
    assert.ok(gpuSteps >= 3, `the GPU thread stepped with the breakpoint enabled (${gpuSteps} steps)`);
  });

  it('points a DDI frame after its return at the closing brace, not at its first line', async () => {
    const dc = client();
    await launchAndStop(dc, {}, async () => {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    });
    await expectEvent(dc, 'stopped', () => dc.stepOutRequest({ threadId: KERNEL }));
    const frame = (await top(dc, KERNEL))[0];
    assert.match(frame.name, /^DxgkDdiBuildPagingBuffer\(\w+\) → STATUS_/);
    const text = lines(REFERENCE);
    const first = text.findIndex((l) => l.startsWith('function DxgkDdiBuildPagingBuffer(')) + 1;
    const end = text.findIndex((l, i) => i >= first && l === '}') + 1;
    assert.equal(frame.source?.path, REFERENCE);
    assert.equal(frame.line, end, `the reference driver's DDI has many returns: its closing brace (line ${end}), not line ${first}`);
  });

  it('stops a verifier violation on the line that broke the rule, with the DDI as the next frame', async () => {
    const dc = client();
    const driver = join(ROOT, 'samples', 'drivers', 'buggy', 'dma-buffer-overrun.ts');
    const stop = (await launchAndStop(dc, { driver }, async () => undefined)) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'exception');
    const [offending, ddi] = await top(dc, KERNEL);
    const text = lines(driver);
    assert.equal(offending.name, 'verifier: dma-buffer-overrun');
    assert.equal(offending.source?.path, driver);
    assert.equal(offending.line, text.findIndex((l) => l.includes('p.Offset += writeInstruction(')) + 1, 'the write that overran');
    assert.equal(ddi.name, 'DxgkDdiBuildPagingBuffer(Transfer)');
    assert.equal(ddi.source?.path, driver);
    assert.equal(ddi.line, text.findIndex((l) => l.startsWith('function DxgkDdiBuildPagingBuffer(')) + 1);
    // Both frames show the call's arguments.
    const scopes = (await dc.scopesRequest({ frameId: offending.id })).body.scopes;
    assert.equal(scopes[0].name, 'Arguments (DxgkDdiBuildPagingBuffer)');
  });
});
