// Which driver line wrote which bytes of a paging buffer during one DxgkDdiBuildPagingBuffer call,
// for the rules judged on those bytes (a `fill` aimed at an aperture segment, an `apmap` that maps
// too few pages...). The writers of `paging-lab/gpu` (writeInstruction, encodeInto, writeLocation)
// report each write through src/sim/ddi/writeSites.ts, the hook the time-travel recorder also uses;
// for the length of the call the verifier chains its observer in front of whatever was there. Bytes
// the driver writes by other means (a DataView of its own) have no line: a rule then names the DDI.

import { driverWriteSites } from '../ddi/writeSites';
import type { SourceLocation } from '../driver/errors';
import { captureCallSites, type DriverSourceMap } from '../driver/sourceMap';

/** Frames looked at for the driver's own: the observer, the GPU module's writer (and writeInstruction's encodeInto), the driver. */
const FRAMES = 8;

export interface Site {
  offset: number;
  length: number;
  line: number;
  column: number;
}

export class BufferWriters {
  private readonly sites_: Site[] = [];
  private previous: typeof driverWriteSites.observe;
  private started = false;

  /**
   * @param wanted which writes a rule may ask about (taking a stack at every write would double the
   *   run time of a paging-heavy scenario): the others are passed on unrecorded.
   */
  constructor(
    private readonly buffer: ArrayBufferLike,
    private readonly map: DriverSourceMap,
    private readonly wanted: (bytes: Uint8Array, offset: number, length: number) => boolean,
  ) {}

  start(): void {
    this.previous = driverWriteSites.observe;
    driverWriteSites.observe = this.observe;
    this.started = true;
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    if (driverWriteSites.observe === this.observe) driverWriteSites.observe = this.previous;
  }

  private readonly observe = (bytes: Uint8Array, offset: number, length: number): void => {
    this.previous?.(bytes, offset, length);
    if (bytes.buffer !== this.buffer || !this.wanted(bytes, offset, length)) return;
    // Only the generated position is kept; it is mapped to a .ts line when a rule asks.
    for (const s of captureCallSites(FRAMES, this.observe)) {
      if (!this.map.isDriverSite(s)) continue;
      this.sites_.push({ offset: bytes.byteOffset + offset, length, line: s.getLineNumber() ?? 0, column: s.getColumnNumber() ?? 0 });
      return;
    }
  };

  /** The writes recorded, in order: where in the buffer, how many bytes, and the generated position of the driver line. */
  sites(): readonly Site[] {
    return this.sites_;
  }

  /** A recorded write's driver line, through the source map. */
  locate(site: Site): SourceLocation | undefined {
    return this.map.original(site);
  }

  /** The driver line that last wrote byte `offset` of the buffer during the call (among the writes wanted). */
  lineOf(offset: number): SourceLocation | undefined {
    for (let i = this.sites_.length - 1; i >= 0; i--) {
      const s = this.sites_[i];
      if (offset >= s.offset && offset < s.offset + s.length) return this.map.original(s);
    }
    return undefined;
  }
}
