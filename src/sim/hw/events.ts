// What the hardware reports (HwEvent), built only while someone listens: the listeners, the write
// events coalesced from the runs of bytes an instruction or a host access touches, and the log of
// accesses through the dummy page. It also holds who is acting (an engine or the host) and at what
// virtual time, because some events are raised deep inside address resolution.

import { DUMMY_LOG, HOST_ACCESS, HOST_ENGINE } from './constants';
import type { ControlHwEvent, DummyPageAccess, HwEvent, ReadSink, WriteSink } from './types';

/** A listener threw: the engine passes the listener's own error on instead of faulting. */
export class ListenerError extends Error {
  constructor(readonly inner: unknown) {
    super('event listener threw');
  }
}

export class EventHub {
  /** Whether anyone listens to every event; with nobody, no event but the control kinds is built. */
  listening = false;
  /** Whether anyone wants the writes: a listener of every event or a write sink. */
  writes = false;
  /** Whether anyone listens at all: to every event, to the control kinds (interrupts, faults, finished buffers) or to the writes. */
  control = false;
  /** While `writes`: the physical address of the instruction the acting engine runs. */
  instruction = -1;
  /** Whether anyone wants the reads (a read sink: a data breakpoint on reads). */
  reads = false;
  /** The engine acting now, or HOST_ENGINE. */
  actor = HOST_ENGINE;
  /** The virtual time events raised now are dated. */
  time = 0;
  /** How the host reaches the memory it writes now (HOST_ACCESS), set by the Gpu method it came through. */
  hostAccess: number = HOST_ACCESS.other;
  // Every listener in the order it came, and whether it hears every kind. Replaced, never changed
  // in place, so an emit can walk the array it started with while a listener comes or goes.
  private listeners: { fn: (e: HwEvent) => void; all: boolean }[] = [];
  private sinks: WriteSink[] = [];
  private readSinks: ReadSink[] = [];

  // The pending coalesced write event.
  private wLen = 0;
  private wVram = false;
  private wAddr = 0;
  private wDebug = 0;

  private dummyCount = 0;
  private readonly dummyLog: DummyPageAccess[] = [];

  /** Listens to every event. */
  on(listener: (event: HwEvent) => void): () => void {
    return this.add({ fn: listener, all: true });
  }

  /**
   * Listens to the control kinds only. Such a listener does not make the hardware build the other
   * events (an instruction event and the write events of every instruction).
   */
  onControl(listener: (event: ControlHwEvent) => void): () => void {
    return this.add({ fn: listener as (e: HwEvent) => void, all: false });
  }

  /** Hears every write as numbers (see WriteSink), without making the hardware build any event. */
  onWrites(sink: WriteSink): () => void {
    this.sinks = [...this.sinks, sink];
    this.update();
    return () => {
      this.sinks = this.sinks.filter((x) => x !== sink);
      this.update();
    };
  }

  /** Hears every data read (see ReadSink). */
  onReads(sink: ReadSink): () => void {
    this.readSinks = [...this.readSinks, sink];
    this.reads = true;
    return () => {
      this.readSinks = this.readSinks.filter((x) => x !== sink);
      this.reads = this.readSinks.length > 0;
    };
  }

  /** `n` bytes were read from a resolved run (VRAM or system address `addr`, debug address `debug`) by the acting engine or the host. */
  noteRead(vram: boolean, addr: number, debug: number, n: number): void {
    const sinks = this.readSinks;
    for (let i = 0; i < sinks.length; i++) {
      try {
        sinks[i](this.actor, vram, addr, n, debug, this.time, this.hostAccess);
      } catch (e) {
        throw new ListenerError(e);
      }
    }
  }

  private add(entry: { fn: (e: HwEvent) => void; all: boolean }): () => void {
    this.listeners = [...this.listeners, entry];
    this.update();
    return () => {
      this.listeners = this.listeners.filter((l) => l !== entry);
      this.update();
    };
  }

  private update(): void {
    this.listening = this.listeners.some((l) => l.all);
    this.writes = this.listening || this.sinks.length > 0;
    this.control = this.listeners.length > 0 || this.sinks.length > 0;
  }

  /** Hands `ev` to the listeners of every kind (and, for a control kind, see emitControl). */
  emit(ev: HwEvent): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      if (!ls[i].all) continue;
      try {
        ls[i].fn(ev);
      } catch (e) {
        throw new ListenerError(e);
      }
    }
  }

  /** Hands a control event to every listener, in the order they came. */
  emitControl(ev: ControlHwEvent): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      try {
        ls[i].fn(ev);
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
    try {
      this.tellSinks(this.actor, this.wVram, this.wAddr, this.wLen, this.wDebug, this.time);
    } catch (e) {
      this.wLen = 0;
      throw e;
    }
    if (!this.listening) {
      this.wLen = 0;
      return;
    }
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

  private tellSinks(engine: number, vram: boolean, address: number, length: number, debugAddress: number, time: number): void {
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      try {
        sinks[i](engine, vram, address, length, debugAddress, time, this.hostAccess);
      } catch (e) {
        throw new ListenerError(e);
      }
    }
  }

  /** The host wrote `length` bytes of system memory at `address` (writePhysical, fillPhysical). */
  hostWrite(address: number, length: number, time: number): void {
    if (length <= 0) return;
    this.tellSinks(HOST_ENGINE, false, address, length, address, time);
    if (this.listening) this.emit({ kind: 'write', engine: HOST_ENGINE, target: 'system', address, length, debugAddress: address, time });
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
