// The paging engine: copies between every kind of location (across page and chunk boundaries,
// with MDL offsets), fills, swizzle round trips, fences and interrupts, waits, GPU virtual
// addresses with a TLB, virtual time and single-stepping.

import assert from 'node:assert/strict';
import { createGpu, defaultGpuConfig, Gpu, HwEvent, PAGE_SIZE, recordTrace, tiledOffset } from '../../../src/sim/hw';
import { OPCODE_BY_CODE } from '../../../src/isa/opcodes';
import { PAGING_OPS } from '../../../src/sim/hw/pagingOps';
import { collect, ins, mdlAt, pattern, phys, runAsm, seg, submitAsm, submitProgram } from './helpers';

function idle(gpu: Gpu): void {
  const v = gpu.engineView(0);
  assert.equal(v.state, 'idle', v.fault ? `${v.fault.cause}: ${v.fault.message} at ${v.fault.instruction}` : v.state);
}

/** Writes `data` into the bytes an MDL (pages, byteOffset) describes. */
function writeThroughMdl(gpu: Gpu, pages: number[], byteOffset: number, data: Uint8Array): void {
  for (let at = 0; at < data.length; ) {
    const p = byteOffset + at;
    const idx = Math.floor(p / PAGE_SIZE);
    const n = Math.min(PAGE_SIZE - (p % PAGE_SIZE), data.length - at);
    gpu.writePhysical(pages[idx] + (p % PAGE_SIZE), data.subarray(at, at + n));
    at += n;
  }
}

function readThroughMdl(gpu: Gpu, pages: number[], byteOffset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; ) {
    const p = byteOffset + at;
    const idx = Math.floor(p / PAGE_SIZE);
    const n = Math.min(PAGE_SIZE - (p % PAGE_SIZE), length - at);
    out.set(gpu.readPhysical(pages[idx] + (p % PAGE_SIZE), n), at);
    at += n;
  }
  return out;
}

describe('sim/hw paging engine: copies', () => {
  it('copies MDL to segment, segment to MDL and MDL to MDL across page boundaries and MDL offsets', () => {
    const gpu = createGpu(defaultGpuConfig());
    // Scattered pages, in an order unrelated to their addresses.
    const all = gpu.allocatePages(12);
    const src = [all[7], all[2], all[9], all[0]];
    const dst = [all[5], all[11], all[3], all[8]];
    const list = gpu.allocatePages(2);
    gpu.writePageList(list[0], src);
    gpu.writePageList(list[1], dst);
    const size = 3 * PAGE_SIZE - 0x200;
    const data = pattern(size, 21);
    writeThroughMdl(gpu, src, 0x123, data);
    submitProgram(gpu, [
      ins('copy', [seg(1, 0x10ff0), mdlAt(list[0], 0x123), size]), // page-in, ends across a VRAM chunk boundary
      ins('copy', [mdlAt(list[1], 0x345), seg(1, 0x10ff0), size]), // eviction to other pages at another offset
      ins('copy', [seg(2, 0x7), mdlAt(list[1], 0x345), size]), // MDL to segment again, unaligned
    ]);
    gpu.runUntilIdle();
    idle(gpu);
    assert.deepEqual(gpu.readSegment(1, 0x10ff0, size), data);
    assert.deepEqual(readThroughMdl(gpu, dst, 0x345, size), data);
    assert.deepEqual(gpu.readSegment(2, 0x7, size), data);
    assert.deepEqual(gpu.readSegment(1, 0x10ff0 + size, 16), new Uint8Array(16), 'nothing past the end');
  });

  it('copies long MDLs whose pages are partly contiguous, across chunk boundaries, both ways', () => {
    const gpu = createGpu(defaultGpuConfig());
    const pages = gpu.allocatePages(40); // contiguous: runs span several 64 KiB chunks
    const back = gpu.allocatePages(40).reverse(); // every page on its own
    const mixed = [...pages.slice(0, 20), ...back.slice(0, 20)];
    const lists = gpu.allocatePages(3);
    gpu.writePageList(lists[0], pages);
    gpu.writePageList(lists[1], back);
    gpu.writePageList(lists[2], mixed);
    const size = 40 * PAGE_SIZE - 0x777;
    const data = pattern(size, 31);
    writeThroughMdl(gpu, pages, 0x321, data);
    submitProgram(gpu, [
      ins('copy', [seg(1, 0x1f00d), mdlAt(lists[0], 0x321), size]),
      ins('copy', [mdlAt(lists[1], 0x10), seg(1, 0x1f00d), size]),
      ins('copy', [seg(2, 0x30000), mdlAt(lists[1], 0x10), size]),
    ]);
    gpu.runUntilIdle();
    idle(gpu);
    assert.deepEqual(gpu.readSegment(1, 0x1f00d, size), data);
    assert.deepEqual(readThroughMdl(gpu, back, 0x10, size), data);
    assert.deepEqual(gpu.readSegment(2, 0x30000, size), data);
    // Half contiguous, half scattered, read from the middle of a page.
    submitProgram(gpu, [ins('copy', [mdlAt(lists[2], 0x9), seg(2, 0x30000), 30 * PAGE_SIZE])]);
    gpu.runUntilIdle();
    idle(gpu);
    assert.deepEqual(readThroughMdl(gpu, mixed, 0x9, 30 * PAGE_SIZE), data.subarray(0, 30 * PAGE_SIZE));
  });

  it('copies a page list held in the DMA buffer, and between physical ranges and segments', () => {
    const gpu = createGpu(defaultGpuConfig());
    const data = pattern(5000, 4);
    gpu.writePhysical(0x402000 + 0x10, data.subarray(0, PAGE_SIZE - 0x10));
    gpu.writePhysical(0x400000, data.subarray(PAGE_SIZE - 0x10));
    runAsm(
      gpu,
      `
      copy local:0x123456, mdl(pages)+0x10, 5000
      copy phys:0x500000, local:0x123456, 5000
pages: .pages 0x402000, 0x400000`,
    );
    idle(gpu);
    assert.deepEqual(gpu.readSegment(2, 0x123456, 5000), data);
    assert.deepEqual(gpu.readPhysical(0x500000, 5000), data);
  });

  it('copies and fills large ranges exactly, into fresh and into already materialised memory', () => {
    const gpu = createGpu(defaultGpuConfig());
    for (const seed of [8, 9]) {
      // The second round finds every chunk materialised (runs of several chunks at once).
      const data = pattern(3 * 65536 + 999, seed);
      gpu.writeSegment(1, 0x3333, data);
      runAsm(gpu, `copy local:0x1FFFF, vram:0x3333, ${data.length}`);
      idle(gpu);
      assert.deepEqual(gpu.readSegment(2, 0x1ffff, data.length), data);
      assert.deepEqual(gpu.readSegment(2, 0x1fffe, 1), new Uint8Array(1));
      assert.deepEqual(gpu.readSegment(2, 0x1ffff + data.length, 1), new Uint8Array(1));
    }
    // The last bytes of one segment and the first of the next are neighbours in VRAM: a copy at
    // the end of vram must stop there.
    const end = 256 * 1024 * 1024;
    gpu.writeSegment(2, 0, new Uint8Array([0x55]));
    runAsm(gpu, `fill vram:${end - 0x30000}, 0x30000, 0x11223344`);
    idle(gpu);
    const tail = gpu.readSegment(1, end - 0x30000, 0x30000);
    for (let i = 0; i < tail.length; i += 4) if (tail[i] !== 0x44 || tail[i + 3] !== 0x11) assert.fail(`fill byte ${i}`);
    assert.deepEqual([...gpu.readSegment(2, 0, 1)], [0x55], 'the next segment is untouched');
    runAsm(gpu, `fill vram:${end - 0x30000}, 0x30000, 0xAABBCCDD`);
    assert.deepEqual([...gpu.readSegment(1, end - 4, 4)], [0xdd, 0xcc, 0xbb, 0xaa]);
    assert.deepEqual([...gpu.readSegment(2, 0, 1)], [0x55]);
  });

  it('fills with a little-endian 32-bit pattern and moves no data on discard', () => {
    const gpu = createGpu(defaultGpuConfig());
    const events = collect(gpu);
    runAsm(
      gpu,
      `
      fill vram:0xFFF0, 0x30, 0xDEADBEEF
      discard vram:0xFFF0, 0x30`,
    );
    idle(gpu);
    const b = gpu.readSegment(1, 0xfff0, 0x34);
    for (let i = 0; i < 0x30; i += 4) assert.deepEqual([...b.subarray(i, i + 4)], [0xef, 0xbe, 0xad, 0xde]);
    assert.deepEqual([...b.subarray(0x30)], [0, 0, 0, 0]);
    const writes = events.filter((e) => e.kind === 'write');
    assert.deepEqual(
      writes.map((w) => w.kind === 'write' && [w.target, w.address, w.length, w.debugAddress]),
      [['vram', 0xfff0, 0x30, 2 ** 40 + 0xfff0]],
      'one coalesced write event for the fill, none for the discard',
    );
    assert.equal(events.filter((e) => e.kind === 'instruction').length, 2);
  });

  it('swizzles and unswizzles: the round trip restores the bytes, and the tiles are laid out as documented', () => {
    const gpu = createGpu(defaultGpuConfig());
    const pitch = 512;
    const size = pitch * 64 * 3;
    const linear = pattern(size, 77);
    gpu.writePhysical(0x600000, linear);
    runAsm(
      gpu,
      `
      swizzle vram:0x20000, phys:0x600000, ${size}, ${pitch}
      unswizzle phys:0x700000, vram:0x20000, ${size}, ${pitch}`,
    );
    idle(gpu);
    const tiled = gpu.readSegment(1, 0x20000, size);
    for (let i = 0; i < size; i += 97) assert.equal(tiled[tiledOffset(i, pitch)], linear[i], `byte ${i}`);
    // The first tile holds the first 64 bytes of each of the first 64 rows.
    assert.deepEqual(tiled.subarray(64, 128), linear.subarray(pitch, pitch + 64));
    assert.deepEqual(gpu.readPhysical(0x700000, size), linear);
  });

  it('reads and writes 1 to 8 bytes physically', () => {
    const gpu = createGpu(defaultGpuConfig());
    runAsm(
      gpu,
      `
      pwrite phys:0x9000, 8, 0x0807060504030201
      pwrite phys:0x9010, 3, 0xAABBCCDD
      pwrite vram:0x5, 1, 0x7F
      pread phys:0x9000, 8`,
    );
    idle(gpu);
    assert.deepEqual([...gpu.readPhysical(0x9000, 8)], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual([...gpu.readPhysical(0x9010, 4)], [0xdd, 0xcc, 0xbb, 0]);
    assert.deepEqual([...gpu.readSegment(1, 4, 3)], [0, 0x7f, 0]);
  });
});

describe('sim/hw paging engine: fences, interrupts and waits', () => {
  it('writes the paging fence register or a monitored fence, and raises DMA-completed interrupts', () => {
    const gpu = createGpu(defaultGpuConfig());
    const events = collect(gpu);
    runAsm(
      gpu,
      `
      fence phys:0, 42, irq
      fence phys:0x8008, 0x123456789AB, monitored
      interrupt 7`,
    );
    idle(gpu);
    assert.equal(gpu.engineView(0).pagingFence, 42n);
    assert.equal(new DataView(gpu.readPhysical(0x8008, 8).buffer).getBigUint64(0, true), 0x123456789abn);
    const fences = events.filter((e): e is Extract<HwEvent, { kind: 'fence' }> => e.kind === 'fence');
    assert.deepEqual(
      fences.map((f) => [f.value, f.monitored, f.address]),
      [
        [42n, false, undefined],
        [0x123456789abn, true, 0x8008],
      ],
    );
    const irqs = events.filter((e): e is Extract<HwEvent, { kind: 'interrupt' }> => e.kind === 'interrupt');
    assert.deepEqual(
      irqs.map((i) => [i.reason, i.code, i.fenceValue]),
      [
        ['dma-completed', 0, 42n],
        ['instruction', 7, undefined],
      ],
    );
    assert.equal(events[events.length - 1].kind, 'buffer-complete');
  });

  it('stalls on wait until memory reaches the value, then continues', () => {
    const gpu = createGpu(defaultGpuConfig());
    submitAsm(
      gpu,
      `
      wait phys:0xA000, 5
      fence phys:0, 1`,
    );
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).state, 'waiting');
    assert.equal(gpu.engineView(0).pc, 0);
    gpu.writePhysical(0xa000, new Uint8Array([4]));
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).state, 'waiting', '4 < 5');
    gpu.writePhysical(0xa000, new Uint8Array([6]));
    gpu.runUntilIdle();
    idle(gpu);
    assert.equal(gpu.engineView(0).pagingFence, 1n);
  });

  it('lets one engine wait for a monitored fence that another engine signals', () => {
    const gpu = createGpu(defaultGpuConfig({ engines: 2 }));
    submitProgram(gpu, [ins('wait', [phys(0xb000), 3n]), ins('fence', [phys(0), 9n])], 0);
    submitProgram(gpu, [ins('fill', [seg(1, 0), 1 << 20, 1]), ins('fence', [phys(0xb000), 3n], 2)], 1);
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).state, 'idle');
    assert.equal(gpu.engineView(1).state, 'idle');
    assert.equal(gpu.engineView(0).pagingFence, 9n);
    assert.ok(gpu.engineView(0).busyUntil >= gpu.engineView(1).busyUntil, 'the waiter finishes after the signaller');
  });
});

describe('sim/hw paging engine: GPU virtual addresses', () => {
  it('translates through page tables and caches translations in a TLB until flushed', () => {
    const gpu = createGpu(defaultGpuConfig());
    gpu.writeSegment(1, 0x40000, new Uint8Array([1, 1, 1, 1]));
    gpu.writeSegment(1, 0x80000, new Uint8Array([2, 2, 2, 2]));
    runAsm(
      gpu,
      `
      ptupdate 0x100000, 4, vram:0x40000
      copy phys:0xC000, va:0x100000, 4
      ptupdate 0x100000, 4, vram:0x80000
      copy phys:0xC010, va:0x100000, 4
      tlbflush 0x100000, 4
      copy phys:0xC020, va:0x100000, 4`,
    );
    idle(gpu);
    assert.deepEqual([...gpu.readPhysical(0xc000, 4)], [1, 1, 1, 1]);
    assert.deepEqual([...gpu.readPhysical(0xc010, 4)], [1, 1, 1, 1], 'stale translation: no flush yet');
    assert.deepEqual([...gpu.readPhysical(0xc020, 4)], [2, 2, 2, 2], 'after the flush');
    assert.deepEqual(gpu.pageTableEntry(0x101000), { va: 0x101000, present: true, readOnly: false, segmentId: 1, target: 0x81000 });
  });

  it('maps system pages and crosses page boundaries in GPU virtual space', () => {
    const gpu = createGpu(defaultGpuConfig());
    const data = pattern(PAGE_SIZE + 100, 2);
    runAsm(
      gpu,
      `
      ptupdate 0x200000, 1, phys:0xD0000
      ptupdate 0x201000, 1, local:0x5000`,
    );
    gpu.writeSegment(1, 0, data);
    runAsm(gpu, `copy va:0x200F9C, vram:0, ${data.length}`);
    idle(gpu);
    assert.deepEqual(gpu.readPhysical(0xd0f9c, 100), data.subarray(0, 100));
    assert.deepEqual(gpu.readSegment(2, 0x5000, PAGE_SIZE), data.subarray(100));
  });
});

describe('sim/hw paging engine: time, stepping, determinism', () => {
  it('costs each instruction its fixed time plus bytes over the bandwidth', () => {
    const gpu = createGpu(defaultGpuConfig({ bandwidths: { vramToVram: 100, systemToVram: 10, fill: 1000 } }));
    submitAsm(
      gpu,
      `
      nop
      copy local:0, vram:0, 10000
      copy phys:0x300000, vram:0, 1000
      fill vram:0, 4000, 0`,
    );
    assert.equal(gpu.advance(200), 1, 'only the nop completes by 200 ns');
    assert.equal(gpu.now, 200);
    assert.equal(gpu.engineView(0).pc, 4);
    gpu.runUntilIdle();
    idle(gpu);
    // The clock was moved to 200 with the engine idle after the nop (2 ns); then copy 200 + 10000/100,
    // copy 200 + 1000/10, fill 150 + 4000/1000.
    assert.equal(gpu.engineView(0).busyUntil, 200 + 200 + 100 + 200 + 100 + 150 + 4);
    assert.equal(gpu.now, 954);
  });

  it('single-steps one instruction at a time and reports buffer completion', () => {
    const gpu = createGpu(defaultGpuConfig());
    const events = collect(gpu);
    submitAsm(gpu, 'nop\npwrite phys:0xE000, 4, 1\nfence phys:0, 3');
    assert.equal(gpu.engineView(0).state, 'ready');
    assert.equal(gpu.step(0), 'executed');
    assert.equal(gpu.engineView(0).pc, 4);
    assert.equal(gpu.now, 2);
    assert.equal(gpu.step(0), 'executed');
    assert.deepEqual([...gpu.readPhysical(0xe000, 4)], [1, 0, 0, 0]);
    assert.equal(gpu.engineView(0).pagingFence, 0n);
    assert.equal(gpu.step(0), 'executed');
    assert.equal(gpu.engineView(0).pagingFence, 3n);
    assert.equal(gpu.engineView(0).state, 'idle');
    assert.equal(gpu.step(0), 'idle');
    assert.deepEqual(
      events.map((e) => e.kind),
      ['instruction', 'instruction', 'write', 'instruction', 'fence', 'buffer-complete'],
    );
  });

  it('gives the same results with and without listeners (inline and full paths agree)', () => {
    const program = `
      nop
      pwrite phys:0xF000, 4, 0x01020304
      fence phys:0, 5, irq
      pwrite phys:0xFFFE, 4, 0xAABBCCDD
      fill vram:0, 64, 9
      pwrite phys:0xF100, 8, 0xFFEEDDCCBBAA9988
      fence phys:0, 6`;
    const quiet = createGpu(defaultGpuConfig());
    runAsm(quiet, program);
    const loud = createGpu(defaultGpuConfig());
    collect(loud);
    runAsm(loud, program);
    for (const g of [quiet, loud]) idle(g);
    assert.equal(quiet.now, loud.now);
    assert.equal(quiet.engineView(0).pagingFence, 6n);
    assert.equal(loud.engineView(0).pagingFence, 6n);
    assert.deepEqual(quiet.readPhysical(0xf000, 0x1100), loud.readPhysical(0xf000, 0x1100));
    assert.deepEqual([...quiet.readPhysical(0xfffe, 4)], [0xdd, 0xcc, 0xbb, 0xaa]);
  });

  it('produces the same trace hash for the same inputs, and a different one for different inputs', () => {
    const run = (value: number): string => {
      const gpu = createGpu(defaultGpuConfig({ seed: 3 }));
      const trace = recordTrace(gpu);
      const data = new Uint8Array(64).map((_, i) => (i * gpu.random.int(256)) & 0xff);
      gpu.writePhysical(0x300000, data);
      runAsm(
        gpu,
        `
        apunmap gart, 0, 1, 0x1000
        copy vram:0x100, phys:0x300000, 64
        copy gart:0x10, vram:0x100, 16
        fence phys:0x20000, ${value}, monitored, irq
        fence phys:0, 1`,
      );
      return trace.hash();
    };
    assert.equal(run(1), run(1));
    assert.notEqual(run(1), run(2));
  });
});

describe('sim/hw paging engine: the opcode table', () => {
  it('has a handler for every opcode of the isa table, and none for bytes that are not opcodes', () => {
    for (let code = 0; code < 256; code++) {
      const op = OPCODE_BY_CODE[code];
      assert.equal(PAGING_OPS[code] !== undefined, op !== undefined, op ? `${op.mnemonic} (0x${code.toString(16)}) has no handler` : `byte 0x${code.toString(16)} has a handler`);
    }
  });
});
