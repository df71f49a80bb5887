// What the debugger shows of the driver's own code at one stop: its frames (function, .ts file,
// line, column), their scopes (Locals, Closure, Module), variables expanded on demand, setVariable,
// and evaluation in a frame. Everything is read through the worker's inspector while V8 holds the
// worker paused; values are described from the inspector's view of them, so showing them runs none
// of the driver's code. The simulator's own objects that driver code holds (DDI argument
// structures) are described by the simulator, as in the kernel frames: decoded enums and flags,
// memory references.

import { basename } from 'node:path';
import type { SourceLocation } from '../../sim/driver/errors';
import type { EvaluateResult, FrameInfo, ScopeInfo, SetVariableResult, VarNode } from '../model';
import { InspectorError, type WorkerInspector } from '../runtime/inspector';
import { BRIDGE, BRIDGE_IN_HOST, DESCRIBE_IN_HOST, STOP_IN_HOST } from '../runtime/inspectorBridge';
import { callArgument, type CallFrame, type EvaluateResponse, type PropertyDescriptor, type RemoteObject, type Scope } from '../runtime/cdp';
import { expandable, typeText, valueText } from './values';

/** Variables keys of driver frames start with this; the others belong to the simulator. */
export const DRIVER_KEY = 'driver:';

/** How long an evaluation in a driver frame may run before it is stopped. */
export const EVALUATE_TIMEOUT_MS = 1000;

/** At most this many members of one object are listed (a driver's large array). */
const MAX_MEMBERS = 1000;

/** A V8 frame in the driver's script, with its .ts position. */
export interface DriverFrame {
  frame: CallFrame;
  location: SourceLocation;
}

type Entry =
  | { kind: 'scopes'; frame: number; scopes: { scope: Scope; number: number }[] }
  | { kind: 'object'; objectId: string; path: string }
  | { kind: 'var'; frame: number; scopeNumber: number; name: string }
  | { kind: 'member'; objectId: string; name: string };

let stops = 0;

export class DriverStopView {
  private readonly entries = new Map<string, Entry>();
  private readonly prefix = `${DRIVER_KEY}${++stops}:`;
  private next = 0;
  readonly frameInfos: FrameInfo[];

  constructor(
    private readonly link: WorkerInspector,
    readonly frames: DriverFrame[],
    /** The driver script's id: its outermost function is the module. */
    private readonly scriptId: string,
    /** V8's top frame: a frame of the simulator's when the driver was paused inside a kernel callback it called. */
    readonly topV8Frame: CallFrame,
  ) {
    this.frameInfos = frames.map((f, i) => this.frameInfo(f, i));
  }

  private key(e: Entry): string {
    const k = this.prefix + this.next++;
    this.entries.set(k, e);
    return k;
  }

  owns(key: string): boolean {
    return key.startsWith(this.prefix);
  }

  private frameInfo(f: DriverFrame, index: number): FrameInfo {
    const { frame, location } = f;
    const groups: { name: string; hint?: string; scopes: { scope: Scope; number: number }[] }[] = [];
    const locals: { scope: Scope; number: number }[] = [];
    frame.scopeChain.forEach((scope, number) => {
      switch (scope.type) {
        case 'local':
        case 'block':
        case 'catch':
        case 'with':
        case 'eval':
          locals.push({ scope, number });
          break;
        case 'closure': {
          const s = scope.startLocation;
          const isModule = s && s.scriptId === this.scriptId && s.lineNumber === 0 && (s.columnNumber ?? 0) === 0;
          groups.push({ name: isModule ? 'Module' : scope.name ? `Closure (${scope.name})` : 'Closure', scopes: [{ scope, number }] });
          break;
        }
        case 'script':
        case 'module':
          groups.push({ name: 'Module', scopes: [{ scope, number }] });
          break;
        default:
          break; // global: the language's built-ins and the provided modules
      }
    });
    if (locals.length) groups.unshift({ name: 'Locals', hint: 'locals', scopes: locals });
    const scopes: ScopeInfo[] = groups.map((g) => ({
      name: g.name,
      ...(g.hint ? { presentationHint: g.hint } : {}),
      expensive: false,
      lazy: this.key({ kind: 'scopes', frame: index, scopes: g.scopes }),
    }));
    return {
      name: frame.functionName || '(anonymous function)',
      source: { name: basename(location.file), path: location.file },
      line: location.line,
      column: location.column,
      scopes,
    };
  }

  /**
   * The kernel's side of the stop (the bridge's pause() text) and the top frame's locals. With the
   * bridge's reference in the driver's world (found at an earlier stop), one round trip after V8's
   * pause; else the kernel's side and the locals' members, then their descriptions, and the
   * reference is looked for in object group `group`, for the next stops (a step by line is a stop
   * after a stop). Returns the text and the reference for the next stop.
   */
  async read(bridgeRef: string | undefined, group: string): Promise<{ kernel: string; bridgeRef: string | undefined }> {
    if (bridgeRef) {
      try {
        return { kernel: await this.prefetchWithBridge(bridgeRef), bridgeRef };
      } catch {
        // The driver's context was made again (time travel, restart): the reference is gone.
      }
    }
    const [kernel] = await Promise.all([
      this.link.send<EvaluateResponse>('Runtime.evaluate', { expression: `globalThis.${BRIDGE}.pause()`, returnByValue: true, silent: true }).then((r) => String(r.result.value)),
      this.prefetch().catch(() => undefined),
    ]);
    await this.link.send('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => undefined);
    return { kernel, bridgeRef: await this.findBridge(group).catch(() => undefined) };
  }

  /** Reads the first scope of the top frame now, so a client's refresh after the stop costs nothing. */
  async prefetch(): Promise<void> {
    const first = this.frameInfos[0]?.scopes[0];
    if (!first?.lazy) return;
    first.vars = await this.vars(first.lazy);
    delete first.lazy;
  }

  /**
   * The kernel's side of the stop (pause()'s text) and the first scope of the top frame, read with
   * the bridge's reference in the driver's world (`bridge`, see BRIDGE_IN_HOST): the members of each
   * scope object and the simulator's descriptions of its objects among them go out together, in one
   * round trip. Rejects when the reference is no longer valid (the driver's context was made again).
   */
  async prefetchWithBridge(bridge: string): Promise<string> {
    const first = this.frameInfos[0]?.scopes[0];
    const e = first?.lazy ? this.entries.get(first.lazy) : undefined;
    const scopes = e?.kind === 'scopes' ? e.scopes : [];
    const target = scopes[0]?.scope.object.objectId;
    if (!first || !e || e.kind !== 'scopes' || !target) {
      // No scope to read (not expected of a driver frame): the kernel's side alone.
      const r = await this.link.send<EvaluateResponse>('Runtime.callFunctionOn', { objectId: bridge, functionDeclaration: 'function () { return JSON.stringify({ pause: this.pause(), described: [] }); }', returnByValue: true, silent: true });
      return (JSON.parse(String(r.result.value)) as { pause: string }).pause;
    }
    const [stop, ...props] = await Promise.all([
      this.link.send<EvaluateResponse>('Runtime.callFunctionOn', {
        objectId: target,
        functionDeclaration: STOP_IN_HOST,
        arguments: [{ objectId: bridge }, { value: '' }, ...scopes.slice(1).map((s) => ({ objectId: s.scope.object.objectId! }))],
        returnByValue: true,
        silent: true,
      }),
      ...scopes.map((s) => this.properties(s.scope.object.objectId!)),
    ]);
    if (stop.exceptionDetails || typeof stop.result.value !== 'string') throw new InspectorError('the bridge did not answer');
    const answer = JSON.parse(stop.result.value) as { pause: string; described: Record<string, VarNode>[] };
    const lists = scopes.map((s, i) => this.nodes(props[i], '', answer.described[i] ?? {}, (name) => this.key({ kind: 'var', frame: e.frame, scopeNumber: s.number, name })));
    first.vars = merged(lists);
    delete first.lazy;
    return answer.pause;
  }

  /**
   * A reference to the bridge in the driver's world, found through a simulator object among the
   * members of the top frame's first scopes (read by `prefetch`), for `prefetchWithBridge` at the
   * next stops; undefined when they hold none.
   */
  async findBridge(group: string): Promise<string | undefined> {
    for (const c of this.objectMembers) {
      const r = await this.link.send<EvaluateResponse>('Runtime.callFunctionOn', { objectId: c.objectId, functionDeclaration: BRIDGE_IN_HOST, arguments: [{ value: c.names }], objectGroup: group, silent: true });
      if (r.result.type === 'object' && r.result.objectId) return r.result.objectId;
    }
    return undefined;
  }

  /** Objects (not Proxies) among the members read so far, by the object holding them: where findBridge looks. */
  private readonly objectMembers: { objectId: string; names: string[] }[] = [];

  async vars(key: string): Promise<VarNode[]> {
    const e = this.entries.get(key);
    if (!e) throw new Error('these variables belong to an earlier stop');
    if (e.kind === 'scopes') {
      return merged(await Promise.all(e.scopes.map((s) => this.members(s.scope.object.objectId!, '', (name) => this.key({ kind: 'var', frame: e.frame, scopeNumber: s.number, name })))));
    }
    if (e.kind === 'object') return this.members(e.objectId, e.path, (name) => this.key({ kind: 'member', objectId: e.objectId, name }));
    throw new Error('not a variables reference');
  }

  /** The own members of an object, as the inspector sees them (at most MAX_MEMBERS). */
  private async properties(objectId: string): Promise<PropertyDescriptor[]> {
    const r = await this.link.send<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: true });
    return r.result.filter((p) => p.name !== '__proto__' && p.isOwn !== false).slice(0, MAX_MEMBERS);
  }

  /** The members of an object (a scope, or a driver object), described as variables. */
  private async members(objectId: string, path: string, settable: (name: string) => string): Promise<VarNode[]> {
    const props = await this.properties(objectId);
    const objects = props.filter((p) => p.value?.type === 'object' && p.value.subtype !== 'null' && p.value.subtype !== 'proxy').map((p) => p.name);
    let host: Record<string, VarNode> = {};
    if (objects.length) {
      this.objectMembers.push({ objectId, names: objects });
      try {
        const d = await this.link.send<EvaluateResponse>('Runtime.callFunctionOn', {
          objectId,
          functionDeclaration: DESCRIBE_IN_HOST,
          arguments: [{ value: objects }, { value: path }],
          returnByValue: true,
          silent: true,
        });
        if (typeof d.result.value === 'string') host = JSON.parse(d.result.value) as Record<string, VarNode>;
      } catch {
        // Described as plain JavaScript objects then.
      }
    }
    return this.nodes(props, path, host, settable);
  }

  /** Members as variables: the simulator's description where it gave one (`host`), else the inspector's view. */
  private nodes(props: PropertyDescriptor[], path: string, host: Record<string, VarNode>, settable: (name: string) => string): VarNode[] {
    return props.map((p) => {
      const evaluateName = path ? (/^[A-Za-z_$][\w$]*$/.test(p.name) ? `${path}.${p.name}` : `${path}[${JSON.stringify(p.name)}]`) : p.name;
      if (Object.prototype.hasOwnProperty.call(host, p.name)) return { ...host[p.name], name: p.name };
      if (!p.value) {
        const accessor = [p.get && p.get.type !== 'undefined' ? 'get' : '', p.set && p.set.type !== 'undefined' ? 'set' : ''].filter(Boolean).join('/');
        return { name: p.name, value: `(${accessor || 'accessor'}: not read, it would run the driver's code)`, evaluateName, readOnly: true };
      }
      return this.node(p.name, p.value, evaluateName, p.writable === false ? undefined : settable(p.name));
    });
  }

  private node(name: string, o: RemoteObject, evaluateName: string, settable?: string): VarNode {
    const n: VarNode = { name, value: valueText(o), type: typeText(o), evaluateName };
    if (expandable(o)) n.lazy = this.key({ kind: 'object', objectId: o.objectId!, path: evaluateName });
    if (settable && o.type !== 'function') n.settable = settable;
    return n;
  }

  /** The simulator's description of one of its objects that `o` is, if it is one. */
  private async hostNode(name: string, o: RemoteObject, path: string): Promise<VarNode | undefined> {
    if (o.type !== 'object' || !o.objectId || o.subtype === 'null' || o.subtype === 'proxy') return undefined;
    try {
      const d = await this.link.send<EvaluateResponse>('Runtime.callFunctionOn', {
        objectId: o.objectId,
        functionDeclaration: `function (name, path) { const holder = {}; holder[name] = this; return (${DESCRIBE_IN_HOST}).call(holder, [name], path); }`,
        arguments: [{ value: name }, { value: '' }],
        returnByValue: true,
        silent: true,
      });
      const map = typeof d.result.value === 'string' ? (JSON.parse(d.result.value) as Record<string, VarNode>) : {};
      const n = map[name];
      return n ? { ...n, evaluateName: path } : undefined;
    } catch {
      return undefined;
    }
  }

  async setVariable(key: string, text: string): Promise<SetVariableResult> {
    const e = this.entries.get(key);
    if (!e || (e.kind !== 'var' && e.kind !== 'member')) throw new Error('this variable belongs to an earlier stop');
    const frame = this.frames[e.kind === 'var' ? e.frame : 0].frame;
    const v = await this.evaluateRaw(frame, text, false);
    if (e.kind === 'var') {
      await this.link.send('Debugger.setVariableValue', { scopeNumber: e.scopeNumber, variableName: e.name, newValue: callArgument(v), callFrameId: frame.callFrameId });
      return { value: valueText(v) };
    }
    const r = await this.link.send<EvaluateResponse>('Runtime.callFunctionOn', {
      objectId: e.objectId,
      functionDeclaration: 'function (name, value) { this[name] = value; return this[name]; }',
      arguments: [{ value: e.name }, callArgument(v)],
      silent: true,
      generatePreview: true,
    });
    if (r.exceptionDetails) throw new Error(exceptionText(r));
    return { value: valueText(r.result) };
  }

  /**
   * Evaluates JavaScript in a driver frame, bounded in time, tried without side effects first. In the
   * Debug Console (or with no context said), one V8 finds would have them (an assignment, a call that
   * writes) then runs for real and is said to change the driver (`changedDriver`). Elsewhere (a
   * watch, a hover, a copied value) it is refused: those run at every stop unasked, and a change made
   * inside a DDI call is one no replay makes again.
   */
  async evaluate(frameIndex: number, expression: string, context: string | undefined): Promise<EvaluateResult> {
    const frame = this.frames[frameIndex]?.frame;
    if (!frame) throw new Error(`there is no driver frame ${frameIndex}`);
    try {
      return await this.described(expression, await this.evaluateRaw(frame, expression, true));
    } catch (e) {
      if (!(e instanceof EvaluationError) || !/Possible side-effect/.test(e.message)) throw e;
      if (context !== 'repl' && context !== undefined) throw new EvaluationError(sideEffectRefusal(expression, context), false);
    }
    return { ...(await this.described(expression, await this.evaluateRaw(frame, expression, false))), changedDriver: true };
  }

  private async described(expression: string, o: RemoteObject): Promise<EvaluateResult> {
    const host = await this.hostNode(expression.trim(), o, expression.trim());
    if (host) return { result: host.value, type: host.type, node: host, ...(host.memoryReference ? { memoryReference: host.memoryReference } : {}) };
    const node = this.node(expression.trim(), o, expression.trim());
    return { result: node.value, type: node.type, ...(node.lazy ? { node } : {}) };
  }

  private async evaluateRaw(frame: CallFrame, expression: string, noSideEffects: boolean): Promise<RemoteObject> {
    let r: EvaluateResponse;
    try {
      r = await this.link.send<EvaluateResponse>('Debugger.evaluateOnCallFrame', {
        callFrameId: frame.callFrameId,
        expression,
        silent: true,
        generatePreview: true,
        throwOnSideEffect: noSideEffects,
        timeout: EVALUATE_TIMEOUT_MS,
      });
    } catch (e) {
      if (e instanceof InspectorError && /terminated/i.test(e.message)) throw new EvaluationError(`'${expression}' did not finish within ${EVALUATE_TIMEOUT_MS} ms and was stopped`, false);
      throw e;
    }
    if (r.exceptionDetails) {
      const text = exceptionText(r);
      throw new EvaluationError(text, /^(Uncaught )?ReferenceError\b/.test(text));
    }
    return r.result;
  }
}

/** The variables of several scopes, innermost first: a name an inner scope has hides the outer one's. */
function merged(lists: VarNode[][]): VarNode[] {
  const seen = new Set<string>();
  const out: VarNode[] = [];
  for (const list of lists) {
    for (const v of list) {
      if (seen.has(v.name)) continue;
      seen.add(v.name);
      out.push(v);
    }
  }
  return out;
}

/** An evaluation in a driver frame failed; `unknownName`: it named something the frame does not have. */
export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly unknownName: boolean,
  ) {
    super(message);
  }
}

/** Why an expression that may change the driver is not evaluated outside the Debug Console. */
function sideEffectRefusal(expression: string, context: string): string {
  const where = context === 'watch' ? 'A watch expression is evaluated at every stop' : context === 'hover' ? 'A hover is evaluated unasked' : `An expression evaluated for '${context}'`;
  return `\`${expression}\` may change the driver's state (V8 finds a possible side effect), so it is not evaluated here. ${where}, and a change made while the driver is paused inside a DDI call is one no replay makes again: run it in the Debug Console to make the change on purpose`;
}

function exceptionText(r: EvaluateResponse): string {
  const ex = r.exceptionDetails!;
  const d = ex.exception?.description ?? ex.exception?.value ?? ex.text;
  return String(d).split('\n')[0].replace(/^Uncaught /, '');
}
