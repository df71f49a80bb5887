// What the hardware reports (HwEvent), built only while someone listens: the listeners, the write
// events coalesced from the runs of bytes an instruction or a host access touches, and the log of
// accesses through the dummy page. It also holds who is acting (an engine or the host) and at what
// virtual time, because some events are raised deep inside address resolution.

import { DUMMY_LOG, HOST_ENGINE } from './constants';
import type { DummyPageAccess, HwEvent } from './types';

/** A listener threw: the engine passes the listener's own error on instead of faulting. */
export class ListenerError extends Error {
  constructor(readonly inner: unknown) {
    super('event listener threw');
  }
}

export class EventHub {
  /** Whether anyone listens; with nobody, no event is built. */
  listening = false;
  /** The engine acting now, or HOST_ENGINE. */
  actor = HOST_ENGINE;
  /** The virtual time events raised now are dated. */
  time = 0;
  private readonly listeners: ((e: HwEvent) => void)[] = [];

  // The pending coalesced write event.
  private wLen = 0;
  private wVram = false;
  private wAddr = 0;
  private wDebug = 0;

  private dummyCount = 0;
  private readonly dummyLog: DummyPageAccess[] = [];

  on(listener: (event: HwEvent) => void): () => void {
    this.listeners.push(listener);
    this.listening = true;
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
      this.listening = this.listeners.length > 0;
    };
  }

  emit(ev: HwEvent): void {
    for (const l of this.listeners.slice()) {
      try {
        l(ev);
      } catch (e) {
        throw new ListenerError(e);
      }
    }
  }

  /** The host acts now, at `clock`. */
  host(clock: number): void {
    this.actor = HOST_ENGINE;
    this.time = clock;
  }

  /**
   * `n` bytes were written from the start of a resolved run (VRAM or system address `addr`, debug
   * address `debug`); extends the pending write event when the run continues it.
   */
  noteWrite(vram: boolean, addr: number, debug: number, n: number): void {
    if (this.wLen > 0 && this.wVram === vram && this.wAddr + this.wLen === addr && this.wDebug + this.wLen === debug) {
      this.wLen += n;
      return;
    }
    this.flushWrite();
    this.wVram = vram;
    this.wAddr = addr;
    this.wDebug = debug;
    this.wLen = n;
  }

  flushWrite(): void {
    if (this.wLen === 0) return;
    const ev: HwEvent = {
      kind: 'write',
      engine: this.actor,
      target: this.wVram ? 'vram' : 'system',
      address: this.wAddr,
      length: this.wLen,
      debugAddress: this.wDebug,
      time: this.time,
    };
    this.wLen = 0;
    this.emit(ev);
  }

  recordDummy(segment: number, page: number, write: boolean): void {
    this.dummyCount++;
    const a: DummyPageAccess = { engine: this.actor, segment, page, write, time: this.time };
    if (this.dummyLog.length >= DUMMY_LOG) this.dummyLog.shift();
    this.dummyLog.push(a);
    if (this.listening) this.emit({ kind: 'dummy-page-access', ...a });
  }

  dummyPageAccesses(): { count: number; recent: DummyPageAccess[] } {
    return { count: this.dummyCount, recent: this.dummyLog.slice() };
  }
}
