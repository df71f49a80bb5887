// The page store behind VRAM and system memory: uniform pages cost nothing, fills of whole pages
// give memory back, copies of filled content stay uniform, whole pages copied between the memories
// share their bytes until either is written, and whatever the mix of states, the bytes read are
// those a flat array would hold (checked against one under seeded random operations).

import assert from 'node:assert/strict';
import { LocationSpace } from '../../../src/isa/opcodes';
import { createGpu, createRandom, defaultGpuConfig, type HwEvent } from '../../../src/sim/hw';
import { ACCESS_WRITE } from '../../../src/sim/hw/constants';
import { fillPattern, MIXED, PAGE_BYTES, type RunResult, SparseMemory } from '../../../src/sim/hw/memory';
import { SlabStore } from '../../../src/sim/hw/slabStore';
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

  it('shares whole pages between the memories of one store until either side is written', () => {
    const store = new SlabStore();
    const vram = new SparseMemory(MiB, store);
    const sys = new SparseMemory(MiB, store);
    const content = new Uint8Array(4 * PAGE_BYTES);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7 + 3) & 0xff;
    vram.write(8 * PAGE_BYTES, content, 0, content.length);
    const held = store.heldBytes();
    assert.ok(sys.shareFrom(16 * PAGE_BYTES, vram, 8 * PAGE_BYTES, content.length));
    assert.equal(store.heldBytes(), held, 'no slot taken');
    assert.equal(sys.residentBytes(), content.length);
    const read = (m: SparseMemory, at: number, n: number): Uint8Array => {
      const out = new Uint8Array(n);
      m.read(at, out, 0, n);
      return out;
    };
    assert.deepEqual(read(sys, 16 * PAGE_BYTES, content.length), content);
    // A write to either side takes a slot of its own; the other keeps the old bytes.
    vram.write(8 * PAGE_BYTES + 5, new Uint8Array([0xee]), 0, 1);
    sys.write(17 * PAGE_BYTES + 9, new Uint8Array([0xdd]), 0, 1);
    const a = read(vram, 8 * PAGE_BYTES, content.length);
    const b = read(sys, 16 * PAGE_BYTES, content.length);
    assert.equal(a[5], 0xee);
    assert.equal(b[5], content[5]);
    assert.equal(b[PAGE_BYTES + 9], 0xdd);
    assert.equal(a[PAGE_BYTES + 9], content[PAGE_BYTES + 9]);
    for (let i = 0; i < content.length; i++) if (i !== 5 && i !== PAGE_BYTES + 9) assert.equal(a[i], b[i], `byte ${i}`);
    // A fill of a shared page, a release of one, and the survivor still holds its bytes.
    vram.fill(10 * PAGE_BYTES, PAGE_BYTES, 0x01020304);
    sys.release(19 * PAGE_BYTES, PAGE_BYTES);
    assert.deepEqual(read(sys, 18 * PAGE_BYTES, PAGE_BYTES), content.subarray(2 * PAGE_BYTES, 3 * PAGE_BYTES));
    assert.deepEqual(read(vram, 11 * PAGE_BYTES, PAGE_BYTES), content.subarray(3 * PAGE_BYTES));
    assert.equal(read(vram, 10 * PAGE_BYTES, 4).join(), '4,3,2,1');
    // Pages the store cannot share are refused, and nothing changes.
    vram.install(32 * PAGE_BYTES, new ArrayBuffer(PAGE_BYTES));
    assert.equal(sys.shareFrom(0, vram, 32 * PAGE_BYTES, PAGE_BYTES), false, 'an installed page');
    assert.equal(sys.shareFrom(0, vram, 40 * PAGE_BYTES, PAGE_BYTES), false, 'a uniform page');
    assert.equal(vram.shareFrom(9 * PAGE_BYTES, vram, 8 * PAGE_BYTES, 2 * PAGE_BYTES), false, 'overlapping ranges');
    assert.equal(sys.shareFrom(0, new SparseMemory(MiB), 0, PAGE_BYTES), false, 'another store');
    assert.throws(() => sys.shareFrom(1, vram, 8 * PAGE_BYTES, PAGE_BYTES), /page-aligned/);
  });

  it('reads two memories of one store as two flat arrays under random fills, writes, shares, installs and releases', () => {
    // Small, so that written pages are many and shares of them (refused where a page is uniform) common.
    const size = 256 * 1024;
    const store = new SlabStore();
    const mems = [new SparseMemory(size, store), new SparseMemory(size, store)];
    const flats = [new Uint8Array(size), new Uint8Array(size)];
    const rnd = createRandom(11);
    const installed: { m: number; at: number; bytes: Uint8Array }[] = [];
    const inInstalled = (m: number, a: number, n: number): boolean => installed.some((b) => b.m === m && b.at < a + n && a < b.at + b.bytes.length);
    let shared = 0;
    const run: RunResult = { arr: new Uint8Array(0), off: 0, len: 0, pattern: MIXED };
    for (let step = 0; step < 4000; step++) {
      const op = rnd.int(12);
      const m = rnd.int(2);
      const mem = mems[m];
      const flat = flats[m];
      const at = rnd.int(size - 16 * PAGE_BYTES);
      if (op < 3) {
        const a = at & ~3;
        const n = (1 + rnd.int(9000)) & ~3;
        const p = rnd.int(4) === 0 ? 0 : rnd.nextU32();
        mem.fill(a, n, p);
        for (let i = 0; i < n; i++) flat[a + i] = patternAt(p, a + i);
      } else if (op < 6) {
        const len = 1 + rnd.int(op === 5 ? 3 * PAGE_BYTES : 64);
        const data = new Uint8Array(len);
        for (let i = 0; i < len; i++) data[i] = rnd.int(256);
        if (op === 5) {
          // As the engine writes: run by run, each as long as the store gives.
          for (let done = 0; done < len; done += run.len) {
            mem.run(run, at + done, ACCESS_WRITE, len - done);
            run.arr.set(data.subarray(done, done + run.len), run.off);
          }
        } else mem.write(at, data, 0, len);
        flat.set(data, at);
      } else if (op < 10) {
        const from = rnd.int(2);
        const a = at & ~(PAGE_BYTES - 1);
        const f = rnd.int(size / PAGE_BYTES - 16) * PAGE_BYTES;
        const n = (1 + rnd.int(4)) * PAGE_BYTES;
        if (mem.shareFrom(a, mems[from], f, n)) {
          flat.set(flats[from].slice(f, f + n), a);
          shared++;
        }
      } else if (op === 10) {
        const a = at & ~(PAGE_BYTES - 1);
        const bytes = 16 * PAGE_BYTES;
        if (installed.length >= 4 || inInstalled(m, a, bytes)) continue;
        const buffer = new ArrayBuffer(bytes);
        mem.install(a, buffer);
        installed.push({ m, at: a, bytes: new Uint8Array(buffer) });
        flat.fill(0, a, a + bytes);
      } else if (installed.length > 0) {
        const b = installed.shift()!;
        mems[b.m].release(b.at, b.bytes.length);
        flats[b.m].fill(0, b.at, b.at + b.bytes.length);
      }
      for (const b of installed) {
        const k = rnd.int(b.bytes.length);
        assert.equal(b.bytes[k], flats[b.m][b.at + k], `installed byte ${b.at + k} of memory ${b.m} at step ${step}`);
      }
      const r = rnd.int(size - 20000);
      const n = rnd.int(20000);
      for (let k = 0; k < 2; k++) {
        const out = new Uint8Array(n);
        mems[k].read(r, out, 0, n);
        assert.deepEqual(out, flats[k].subarray(r, r + n), `memory ${k}: read ${r}+${n} at step ${step}`);
      }
    }
    assert.ok(shared > 200, `${shared} shares made`);
    for (let k = 0; k < 2; k++) {
      const all = new Uint8Array(size);
      mems[k].read(0, all, 0, size);
      assert.equal(Buffer.compare(all, flats[k]), 0, `memory ${k} at the end`);
    }
  });

  it('hands a finished memory\'s slabs to the next memory zeroed, and reads as zeros itself afterwards', () => {
    const old = new SparseMemory(64 * MiB);
    // Pages in two slabs (a slab holds 16 MiB of pages), some given back as spare slots with old bytes.
    for (let a = 0; a < 20 * MiB; a += PAGE_BYTES) old.write(a + 5, new Uint8Array([0xaa, 0xbb]), 0, 2);
    old.fill(0, 2 * MiB, 0x11223344);
    old.write(2 * PAGE_BYTES, new Uint8Array(PAGE_BYTES).fill(0xcc), 0, PAGE_BYTES);
    // Far from the rest: a filled range, pages shared from the other memory of the store, and an installed page.
    old.fill(40 * MiB, 3 * MiB, 0x55667788);
    const other = new SparseMemory(64 * MiB, old.store);
    other.write(0, new Uint8Array(2 * PAGE_BYTES).fill(0x77), 0, 2 * PAGE_BYTES);
    assert.ok(old.shareFrom(50 * MiB, other, 0, 2 * PAGE_BYTES));
    old.install(60 * MiB, new ArrayBuffer(PAGE_BYTES));
    old.recycle();
    other.recycle();
    assert.equal(old.residentBytes(), 0);
    const all = new Uint8Array(64 * MiB);
    old.read(0, all, 0, all.length);
    assert.ok(Buffer.from(all.buffer).equals(Buffer.alloc(all.length)), 'every byte of the recycled memory reads as zero');
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

  it('gives the bytes a flat array would hold after random fills, copies (half of them page to page) and writes by the engine', () => {
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
          // Half of the copies page to page, where written pages are shared rather than copied.
          const aligned = rnd.int(2) === 0;
          const n = aligned ? (1 + rnd.int(36)) * PAGE_BYTES : 1 + rnd.int(150000);
          const page = (x: number) => (aligned ? x - (x % PAGE_BYTES) : x);
          const from = page(rnd.int(span - n));
          let to = page(rnd.int(span - n));
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
    assert.ok(gpu.sharedCopiedBytes() > 0, 'some pages were shared');
  });
  it('copies written pages between VRAM and system memory without moving a byte, and keeps each side its own on a later write', () => {
    const gpu = createGpu(defaultGpuConfig());
    const content = new Uint8Array(16 * PAGE_BYTES);
    for (let i = 0; i < content.length; i++) content[i] = (i * 13 + 1) & 0xff;
    gpu.writeSegment(1, 0, content);
    const held = gpu.heldBytes();
    const sysAt = 0x400000;
    const physical = (address: number) => ({ space: LocationSpace.Physical, sub: 0, aux: 0, address });
    submitProgram(gpu, [ins('copy', [physical(sysAt), seg(1, 0), content.length]), ins('copy', [seg(2, 0), physical(sysAt), content.length])]);
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).state, 'idle', gpu.engineView(0).fault?.message);
    // The program's own common buffer took pages; the copies took none.
    assert.ok(gpu.heldBytes() - held <= 64 * 1024, `held grew by ${gpu.heldBytes() - held}`);
    assert.deepEqual(gpu.readPhysical(sysAt, content.length), content);
    assert.deepEqual(gpu.readSegment(2, 0, content.length), content);
    gpu.writeSegment(1, 100, new Uint8Array([1, 2, 3]));
    gpu.writePhysical(sysAt + PAGE_BYTES, new Uint8Array(PAGE_BYTES).fill(9));
    assert.deepEqual(gpu.readSegment(2, 0, content.length), content, 'the copy in segment 2 keeps the bytes copied');
    assert.deepEqual([...gpu.readSegment(1, 99, 5)], [content[99], 1, 2, 3, content[103]]);
    assert.equal(gpu.readPhysical(sysAt + PAGE_BYTES, 1)[0], 9);
    assert.equal(gpu.readPhysical(sysAt + 100, 1)[0], content[100]);
  });
});
