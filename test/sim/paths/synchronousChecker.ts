// A correct driver of our own that asks for DXGK_ALLOCATIONINFOFLAGS.SynchronousPaging and checks,
// as it runs, the two promises the WDK makes for it: "the video memory manager will wait until the
// allocation is no longer busy (that is, ... until the GPU reports all of the fences that reference
// the allocation) before the video memory manager submits a paging buffer that references the
// allocation", and "will wait for a paging operation on a synchronous allocation to complete before
// the video memory manager allows the driver to submit a non-paging DMA buffer". It knows what each
// submission references from DxgkDdiPatch (a render's allocation list; a paging buffer by what it
// wrote into it) and reads the engines' completed fences at DxgkDdiSubmitCommand.

import { type DEVICE_REGISTERS, type DXGKARG_BUILDPAGINGBUFFER, DXGK_OPERATION_NAMES, type HANDLE } from '../../../src/sim/ddi/contract';
import { testDriver } from '../kernel/helpers';

export interface SynchronousChecker {
  driver: Awaited<ReturnType<typeof testDriver>>;
  /** Submissions checked against the promises. */
  checks: number;
  broken: string[];
}

/** `ask`: whether the driver sets SynchronousPaging (without it, VidMm owes nothing and the checker shows what it would see). */
export async function synchronousChecker(ask = true): Promise<SynchronousChecker> {
  const checker: SynchronousChecker = { driver: undefined as never, checks: 0, broken: [] };
  let registers: DEVICE_REGISTERS | undefined;
  /** Per paging buffer (by bus address): allocations written into it since it was last submitted. */
  const building = new Map<number, Set<HANDLE>>();
  /** What the buffer being patched references (DxgkDdiSubmitCommand follows with the same fence). */
  let patched: HANDLE[] = [];
  /** Per allocation: the submissions that referenced it and may not be complete. */
  const references = new Map<HANDLE, { engine: number; fence: number; paging: boolean }[]>();
  /** Paging buffers submitted with work for an allocation (all of ours are synchronous). */
  const pagingSubmitted: { engine: number; fence: number }[] = [];
  const complete = (r: { engine: number; fence: number }): boolean => registers!.ReadPagingFence(r.engine) >= r.fence;
  checker.driver = await testDriver((init) => ({
    DxgkDdiStartDevice(ctx, info, dxgk) {
      // A new run (the same checker may drive several, one after another).
      building.clear();
      references.clear();
      pagingSubmitted.length = 0;
      registers = dxgk.DxgkCbGetDeviceInformation(dxgk.DeviceHandle).Registers;
      return init.DxgkDdiStartDevice(ctx, info, dxgk);
    },
    DxgkDdiCreateAllocation(h, args) {
      const status = init.DxgkDdiCreateAllocation(h, args);
      if (ask) for (const info of args.pAllocationInfo) info.Flags.SynchronousPaging = true;
      return status;
    },
    DxgkDdiBuildPagingBuffer(h, args: DXGKARG_BUILDPAGINGBUFFER) {
      const member = (args as unknown as Record<string, { hAllocation?: HANDLE } | undefined>)[DXGK_OPERATION_NAMES[args.Operation]];
      const begin = args.pDmaBuffer.Offset;
      const status = init.DxgkDdiBuildPagingBuffer(h, args);
      if (member?.hAllocation && args.pDmaBuffer.Offset > begin) {
        const set = building.get(args.pDmaBuffer.PhysicalAddress) ?? new Set();
        set.add(member.hAllocation);
        building.set(args.pDmaBuffer.PhysicalAddress, set);
      }
      return status;
    },
    DxgkDdiPatch(h, p) {
      if (p.Flags.Paging) {
        patched = [...(building.get(p.DmaBufferSegmentAddress) ?? [])];
        building.delete(p.DmaBufferSegmentAddress);
      } else {
        patched = (p.pAllocationList ?? []).map((e) => e.hDeviceSpecificAllocation);
      }
      return init.DxgkDdiPatch(h, p);
    },
    DxgkDdiSubmitCommand(h, s) {
      const what = `${s.Flags.Paging ? 'paging' : 'DMA'} buffer with fence ${s.SubmissionFenceId} on engine ${s.NodeOrdinal}`;
      if (s.Flags.Paging) {
        for (const a of patched) {
          checker.checks++;
          for (const r of references.get(a) ?? []) {
            if (!complete(r)) checker.broken.push(`${what} submitted while the ${r.paging ? 'paging' : 'DMA'} buffer with fence ${r.fence} on engine ${r.engine}, which references the same allocation, is not complete`);
          }
        }
        if (patched.length) pagingSubmitted.push({ engine: s.NodeOrdinal, fence: s.SubmissionFenceId });
      } else {
        checker.checks++;
        for (const r of pagingSubmitted) {
          if (!complete(r)) checker.broken.push(`${what} submitted while the paging buffer with fence ${r.fence} on engine ${r.engine} is not complete`);
        }
      }
      for (const a of patched) references.set(a, [...(references.get(a) ?? []).filter((r) => !complete(r)), { engine: s.NodeOrdinal, fence: s.SubmissionFenceId, paging: s.Flags.Paging }]);
      return init.DxgkDdiSubmitCommand(h, s);
    },
  }));
  return checker;
}
