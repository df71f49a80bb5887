// How the session reads the simulator while the V8 inspector holds the worker paused inside driver
// code. A paused worker does not handle postMessage, but the inspector still evaluates expressions
// in it: the worker puts one object on its own global (never on the driver's, which is another
// context), and the session calls it through `Runtime.evaluate`/`Runtime.callFunctionOn` with
// `returnByValue`. Requests and answers travel as JSON text, bytes as base64.

import { types } from 'node:util';
import { settleTakenContexts } from '../../sim/driver/takenContexts';
import type { VarNode } from '../model';
import type { WorkerCall } from './protocol';

/** The name of the bridge on the worker's global object. */
export const BRIDGE = '__pagingLabInspector';

/** What the worker's global holds under BRIDGE. */
export interface Bridge {
  /** Answers a request (those that need no running: variables, memory, evaluate...); JSON of `{ ok, result }` or `{ ok: false, error }`. */
  answer(request: string): string;
  /**
   * Answers a request the session posted before the pause, which the paused worker has not read:
   * as `answer`, and the worker then skips the message when it runs again. JSON of `{ posted: true }`
   * when the worker had read it already (its answer is on its way).
   */
  answerQueued(request: string, id: number): string;
  /** The kernel's side of the stop at a driver pause (JSON of DriverPause). */
  pause(): string;
  /** The function the driver registered for the DDI the kernel is stopped at the entry of (for Step In). */
  pendingDdiFunction(): unknown;
  /** The DDI call the driver is running in (0: none), for counting its pauses at line breakpoints. */
  callId(): number;
  /** The driver paused at a line breakpoint at `at` (line:column of its script) while reverse continue searched: `stops` when not only log points are there. */
  linePause(at: string, stops: boolean): boolean;
  /** Describes the simulator's own objects among `holder[name]` (DDI arguments...) as the debugger shows them: JSON of `{ [name]: VarNode }`. */
  describe(holder: object, names: string[], path: string): string;
  /**
   * A driver stop in one call (see STOP_IN_HOST): the kernel's side, and the simulator's own objects
   * among the own data members of each of `scopes` described: JSON of `{ pause, described }`, where
   * `pause` is `pause()`'s text and `described[i]` the `{ [name]: VarNode }` of `scopes[i]`.
   */
  stop(scopes: ArrayLike<object>, path: string): string;
  /** Makes the inspector forget the driver contexts the collector took (sim/driver/takenContexts.ts): true when there were some. */
  settleContexts(): boolean;
}

export interface BridgeTarget {
  answer(call: WorkerCall): unknown;
  /** Takes the posted request `id` to answer here: false when the worker has read it already. */
  claim(id: number): boolean;
  pause(): unknown;
  pendingDdiFunction(): unknown;
  callId(): number;
  linePause(at: string, stops: boolean): boolean;
  describe(name: string, value: unknown, path: string): VarNode;
}

/** JSON that keeps byte arrays (as `{ $bytes: base64 }`). */
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v));
}

export function fromWire(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) =>
    v && typeof v === 'object' && typeof (v as { $bytes?: unknown }).$bytes === 'string' ? new Uint8Array(Buffer.from((v as { $bytes: string }).$bytes, 'base64')) : v,
  );
}

/** A simulator object (of this thread's realm), not one of the driver's context, and not a Proxy. */
function isHostObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !types.isProxy(v) && Object.prototype.isPrototypeOf.call(Object.prototype, v);
}

/** The simulator's own objects among `holder[name]`, described (the driver's objects and Proxies are left to the inspector). */
function describeNames(target: BridgeTarget, holder: object, names: string[], path: string): Record<string, VarNode> {
  const out: Record<string, VarNode> = {};
  for (const name of names) {
    let v: unknown;
    try {
      v = (holder as Record<string, unknown>)[name];
    } catch {
      continue;
    }
    if (isHostObject(v)) out[name] = target.describe(name, v, path ? `${path}.${name}` : name);
  }
  return out;
}

/** In the worker: puts the bridge on this thread's global object. */
export function installInspectorBridge(target: BridgeTarget): void {
  const bridge: Bridge = {
    answer(request) {
      try {
        return toWire({ ok: true, result: target.answer(fromWire(request) as WorkerCall) });
      } catch (e) {
        return JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    },
    answerQueued(request, id) {
      return target.claim(id) ? bridge.answer(request) : JSON.stringify({ posted: true });
    },
    pause: () => toWire(target.pause()),
    settleContexts: () => settleTakenContexts(),
    pendingDdiFunction: () => target.pendingDdiFunction(),
    callId: () => target.callId(),
    linePause: (at, stops) => target.linePause(at, stops),
    describe(holder, names, path) {
      return JSON.stringify(describeNames(target, holder, names, path));
    },
    stop(scopes, path) {
      // The kernel's side first: it starts the stop's registry of lazy values the descriptions add to.
      const pause = toWire(target.pause());
      const described: Record<string, VarNode>[] = [];
      // A plain loop over the driver's array: its realm's iterators are the driver's to change.
      for (let i = 0; i < scopes.length; i++) {
        const scope = scopes[i];
        const names = Object.getOwnPropertyNames(scope).filter((name) => {
          const d = Object.getOwnPropertyDescriptor(scope, name);
          return !!d && 'value' in d && typeof d.value === 'object' && d.value !== null;
        });
        described.push(names.length ? describeNames(target, scope, names, path) : {});
      }
      return JSON.stringify({ pause, described });
    },
  };
  Object.defineProperty(globalThis, BRIDGE, { value: bridge, enumerable: false, configurable: true });
}

/**
 * Runs in the driver's context (Runtime.callFunctionOn on a scope or an object) with `names`, members
 * the inspector reported as objects and not Proxies: reaches the worker's own global through the
 * realm of one of the simulator's objects among them (their prototype chain ends in that realm's
 * Object.prototype, whose constructor's constructor is that realm's Function), and returns the
 * bridge itself (by reference), or undefined when they are all the driver's own objects.
 */
export const BRIDGE_IN_HOST = `function (names) {
  const own = Object.getOwnPropertyDescriptor;
  for (const name of names) {
    try {
      let p = own(this, name);
      p = p && p.value;
      if (typeof p !== 'object' || p === null) continue;
      for (let i = 0; i < 64; i++) { const q = Object.getPrototypeOf(p); if (q === null) break; p = q; }
      const O = own(p, 'constructor');
      const F = O && own(Object.getPrototypeOf(O.value), 'constructor');
      const G = F && F.value('return globalThis')();
      const bridge = G && own(G, '${BRIDGE}');
      if (bridge) return bridge.value;
    } catch (e) {}
  }
  return undefined;
}`;

/**
 * Runs in the driver's context (through Runtime.callFunctionOn on a scope or an object there), with
 * `this` the holder and `names` the members that hold objects: finds the bridge as BRIDGE_IN_HOST
 * does and asks it to describe them. The driver's own objects lead to the driver's global, which has
 * no bridge: they are read through the inspector like any JavaScript object.
 */
export const DESCRIBE_IN_HOST = `function (names, path) {
  try {
    const bridge = (${BRIDGE_IN_HOST}).call(this, names);
    if (bridge) return bridge.describe(this, names, path);
  } catch (e) {}
  return '{}';
}`;

/**
 * Runs in the driver's context on the first scope object of a driver stop's top frame, with a
 * reference to the bridge kept in the driver's world (BRIDGE_IN_HOST gave it, in an object group
 * of its own that outlives the stop), `path`, and the frame's other scope objects: the kernel's side
 * of the stop and the simulator's descriptions of its objects in those scopes, in one round trip
 * instead of three (the kernel's side, then the members, then their descriptions). Reads nothing
 * itself: the bridge lists the scopes' own data members with its own realm's functions.
 */
export const STOP_IN_HOST = `function (bridge, path) {
  const scopes = [this];
  for (let i = 2; i < arguments.length; i++) scopes[scopes.length] = arguments[i];
  return bridge.stop(scopes, path);
}`;

