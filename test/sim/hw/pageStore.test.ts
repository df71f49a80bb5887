// The page store behind VRAM and system memory: uniform pages cost nothing, fills of whole pages
// give memory back, copies of filled content stay uniform, and whatever the mix of states, the
// bytes read are those a flat array would hold (checked against one under seeded random operations).

import assert from 'node:assert/strict';
import { LocationSpace } from '../../../src/isa/opcodes';
import { createGpu, createRandom, defaultGpuConfig, type HwEvent } from '../../../src/sim/hw';
import { fillPattern, PAGE_BYTES, SparseMemory } from '../../../src/sim/hw/memory';
import { ins, seg, submitProgram } from './helpers';

const MiB = 1024 * 1024;

/** What memory filled with `pattern` from 4-byte boundaries holds at `address`. */
function patternAt(pattern: number, address: number): number {
  return (pattern >>> ((address & 3) * 8)) & 0xff;
}

describe('sim/hw page store', () => {
  it('keeps filled memory uniform: a zero fill of untouched memory and a fill of whole pages cost nothing', () => {
    const m = new SparseMemory(64 * MiB);
    m.fill(0, 64 * MiB, 0);
    assert.equal(m.residentBytes(), 0);
    m.fill(PAGE_BYTES, 8 * PAGE_BYTES, 0xdeadbeef);
    assert.equal(m.residentBytes(), 0, 'whole pages become uniform');
    const out = new Uint8Array(12);
    m.read(PAGE_BYTES - 2, out, 0, 12);
    assert.deepEqual([...out], [0, 0, 0xef, 0xbe, 0xad, 0xde, 0xef, 0xbe, 0xad, 0xde, 0xef, 0xbe]);
    assert.equal(m.readU32(PAGE_BYTES + 4), 0xdeadbeef);
    assert.equal(m.readU32(PAGE_BYTES + 1), 0xefdeadbe);
  });

  it('materialises only the partial pages of a fill, and gives pages back when a fill covers them again', () => {
    const m = new SparseMemory(MiB);
    m.fill(100, 3 * PAGE_BYTES, 0x01020304);
    assert.equal(m.residentBytes(), 2 * PAGE_BYTES, 'the first and last page are partly filled');
    m.write(10, new Uint8Array([9, 9, 9]), 0, 3);
    assert.equal(m.residentBytes(), 2 * PAGE_BYTES);
    m.fill(0, 4 * PAGE_BYTES, 7);
    assert.equal(m.residentBytes(), 0);
    m.write(PAGE_BYTES, new Uint8Array(PAGE_BYTES).fill(5), 0, PAGE_BYTES);
    assert.equal(m.residentBytes(), PAGE_BYTES);
    const out = new Uint8Array(8);
    m.read(PAGE_BYTES - 4, out, 0, 8);
    assert.deepEqual([...out], [7, 0, 0, 0, 5, 5, 5, 5]);
  });

  it('reads the same bytes as a flat array under random fills, writes and installs', () => {
    const size = 4 * MiB;
    const m = new SparseMemory(size);
    const flat = new Uint8Array(size);
    const rnd = createRandom(42);
    const installed: { at: number; bytes: Uint8Array }[] = [];
    for (let step = 0; step < 3000; step++) {
      const op = rnd.int(10);
      const at = rnd.int(size - 64 * 1024);
      const len = 1 + rnd.int(op < 4 ? 64 * 1024 : 9000);
      if (op < 4) {
        const a = at & ~3;
        const n = (len + 3) & ~3;
        const p = rnd.int(4) === 0 ? 0 : rnd.nextU32();
        m.fill(a, n, p);
        for (let i = 0; i < n; i++) flat[a + i] = patternAt(p, a + i);
      } else if (op < 8) {
        const data = new Uint8Array(len);
        for (let i = 0; i < len; i++) data[i] = rnd.int(256);
        m.write(at, data, 0, len);
        flat.set(data, at);
      } else if (op === 8) {
        // Installed buffers never overlap (common buffers come from the page allocator).
        const a = at & ~(PAGE_BYTES - 1);
        const bytes = 16 * PAGE_BYTES;
        if (installed.length >= 4 || installed.some((b) => b.at < a + bytes && a < b.at + b.bytes.length)) continue;
        const buffer = new ArrayBuffer(bytes);
        m.install(a, buffer);
        installed.push({ at: a, bytes: new Uint8Array(buffer) });
        flat.fill(0, a, a + bytes);
      } else if (installed.length > 0) {
        const b = installed.shift()!;
        m.release(b.at, b.bytes.length);
        flat.fill(0, b.at, b.at + b.bytes.length);
      }
      for (const b of installed) {
        // The installed buffer and the memory are the same bytes.
        const k = rnd.int(b.bytes.length);
        assert.equal(b.bytes[k], flat[b.at + k], `installed byte ${b.at + k} at step ${step}`);
      }
      const r = rnd.int(size - 20000);
      const n = rnd.int(20000);
      const out = new Uint8Array(n);
      m.read(r, out, 0, n);
      assert.deepEqual(out, flat.subarray(r, r + n), `read ${r}+${n} at step ${step}`);
    }
    const all = new Uint8Array(size);
    m.read(0, all, 0, size);
    assert.deepEqual(all, flat);
  });

  it('hands a finished memory\'s slabs to the next memory zeroed, and reads as zeros itself afterwards', () => {
    const old = new SparseMemory(64 * MiB);
    // Pages in two slabs (a slab holds 16 MiB of pages), some given back as spare slots with old bytes.
    for (let a = 0; a < 20 * MiB; a += PAGE_BYTES) old.write(a + 5, new Uint8Array([0xaa, 0xbb]), 0, 2);
    old.fill(0, 2 * MiB, 0x11223344);
    old.write(2 * PAGE_BYTES, new Uint8Array(PAGE_BYTES).fill(0xcc), 0, PAGE_BYTES);
    old.recycle();
    assert.equal(old.residentBytes(), 0);
    const back = new Uint8Array(8);
    old.read(5, back, 0, 8);
    assert.deepEqual([...back], [0, 0, 0, 0, 0, 0, 0, 0]);
    // The next memory carves the given-back slabs: every byte it did not write is zero, everywhere a slot could land.
    const next = new SparseMemory(64 * MiB);
    const flat = new Uint8Array(24 * MiB);
    for (let a = 0; a < 24 * MiB; a += 3 * PAGE_BYTES) {
      next.write(a + 7, new Uint8Array([1]), 0, 1);
      flat[a + 7] = 1;
    }
    const got = new Uint8Array(24 * MiB);
    next.read(0, got, 0, got.length);
    assert.equal(Buffer.compare(got, flat), 0, 'a reused slot holds only what the new memory wrote');
    next.recycle();
  });

  it('writes a pattern into any byte alignment of a host buffer', () => {
    for (const address of [0, 1, 2, 3, 4097]) {
      const out = new Uint8Array(40);
      fillPattern(out, 3, 33, 0xa1b2c3d4, address);
      for (let i = 0; i < 33; i++) assert.equal(out[3 + i], patternAt(0xa1b2c3d4, address + i));
      assert.equal(out[2], 0);
      assert.equal(out[36], 0);
    }
  });

  it('copies filled content between segments and to system memory without materialising it, at any byte offset', () => {
    const gpu = createGpu(defaultGpuConfig());
    submitProgram(gpu, [
      ins('fill', [seg(1, 0), 256 * 1024, 0x11223344]),
      ins('copy', [seg(2, 3), seg(1, 0), 200 * 1024]),
      ins('copy', [{ space: LocationSpace.Physical, sub: 0, aux: 0, address: 0x100001 }, seg(2, 3), 100 * 1024]),
    ]);
    gpu.runUntilIdle();
    const v = gpu.engineView(0);
    assert.equal(v.state, 'idle', v.fault?.message);
    assert.ok(gpu.residentBytes().vram <= 2 * PAGE_BYTES, `VRAM resident ${gpu.residentBytes().vram}`);
    assert.ok(gpu.residentBytes().system <= 2 * PAGE_BYTES + 64 * 1024, `system resident ${gpu.residentBytes().system}`);
    const local = gpu.readSegment(2, 0, 200 * 1024 + 8);
    for (let i = 0; i < 3; i++) assert.equal(local[i], 0);
    for (let i = 3; i < 200 * 1024 + 3; i++) assert.equal(local[i], patternAt(0x11223344, i - 3), `local byte ${i}`);
    assert.equal(local[200 * 1024 + 3], 0);
    const sys = gpu.readPhysical(0x100001, 100 * 1024);
    for (let i = 0; i < sys.length; i++) assert.equal(sys[i], patternAt(0x11223344, i), `system byte ${i}`);
    // The first page of the copy in segment 2 was written from byte 3 (materialised): the second
    // copy moves those bytes, and carries the rest as the pattern.
    assert.equal(gpu.patternCopiedBytes(), 300 * 1024 - (PAGE_BYTES - 3));
  });

  it('fills system memory from the host as writePhysical of the same bytes would write it, whole pages left uniform', () => {
    const fill = createGpu(defaultGpuConfig());
    const write = createGpu(defaultGpuConfig());
    const heard: HwEvent[][] = [[], []];
    fill.onEvent((e) => heard[0].push(e));
    write.onEvent((e) => heard[1].push(e));
    const at = 0x200000 + 8;
    const length = 3 * PAGE_BYTES + 6;
    fill.fillPhysical(at, length, 0xa1b2c3d4);
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = patternAt(0xa1b2c3d4, i);
    write.writePhysical(at, bytes);
    assert.deepEqual(fill.readPhysical(at - 8, length + 16), write.readPhysical(at - 8, length + 16));
    assert.deepEqual(heard[0], heard[1]);
    assert.equal(heard[0].length, 1);
    assert.equal(fill.residentBytes().system, 2 * PAGE_BYTES, 'only the two partly filled pages hold bytes');
    assert.equal(write.residentBytes().system, 4 * PAGE_BYTES);
    assert.throws(() => fill.fillPhysical(at + 1, 8, 1), /4-byte aligned/);
    assert.throws(() => fill.fillPhysical(fill.config.systemMemoryBytes - 4, 8, 1), /outside/);
  });

  it('counts as carried a pattern only the bytes of a copy whose source is filled content', () => {
    const gpu = createGpu(defaultGpuConfig());
    gpu.writeSegment(1, 0, new Uint8Array(PAGE_BYTES).fill(5));
    submitProgram(gpu, [ins('copy', [seg(2, 0), seg(1, 0), 3 * PAGE_BYTES])]);
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).state, 'idle', gpu.engineView(0).fault?.message);
    assert.equal(gpu.patternCopiedBytes(), 2 * PAGE_BYTES, 'the written page moved bytes, the two untouched ones are zeros carried as a pattern');
    assert.equal(gpu.readSegment(2, 0, 1)[0], 5);
  });

  it('gives the bytes a flat array would hold after random fills, copies and writes by the engine', () => {
    const gpu = createGpu(defaultGpuConfig({ commonBufferBudget: 64 * MiB }));
    const span = 2 * MiB;
    // Segment 1 at 0 and segment 2 at 0 of their own VRAM, modelled as one array each.
    const model = [new Uint8Array(span), new Uint8Array(span)];
    const rnd = createRandom(7);
    for (let round = 0; round < 40; round++) {
      const program: Uint8Array[] = [];
      for (let k = 0; k < 25; k++) {
        const op = rnd.int(3);
        const s = rnd.int(2);
        if (op === 0) {
          const at = rnd.int(span / 4 - 40000) * 4;
          const n = (1 + rnd.int(40000)) * 4;
          const p = rnd.int(3) === 0 ? 0 : rnd.nextU32();
          program.push(ins('fill', [seg(s + 1, at), n, p]));
          for (let i = 0; i < n; i++) model[s][at + i] = patternAt(p, at + i);
        } else if (op === 1) {
          const d = rnd.int(2);
          const n = 1 + rnd.int(150000);
          const from = rnd.int(span - n);
          let to = rnd.int(span - n);
          if (s === d && from < to + n && to < from + n) to = from + n < span - n ? from + n : 0;
          if (s === d && from < to + n && to < from + n) continue;
          program.push(ins('copy', [seg(d + 1, to), seg(s + 1, from), n]));
          model[d].set(model[s].slice(from, from + n), to);
        } else {
          const at = rnd.int(span - 8);
          const n = 1 + rnd.int(8);
          const lo = rnd.nextU32();
          const hi = rnd.nextU32();
          program.push(ins('pwrite', [seg(s + 1, at), n, (BigInt(hi) << 32n) | BigInt(lo)]));
          for (let i = 0; i < n; i++) model[s][at + i] = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
        }
      }
      const cb = submitProgram(gpu, program, 0, round + 1);
      gpu.runUntilIdle();
      const v = gpu.engineView(0);
      assert.equal(v.state, 'idle', v.fault?.message);
      gpu.freeCommonBuffer(cb);
      for (let s = 0; s < 2; s++) assert.deepEqual(gpu.readSegment(s + 1, 0, span), model[s], `segment ${s + 1} after round ${round}`);
    }
  });
});
