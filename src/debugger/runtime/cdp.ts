// The few Chrome DevTools Protocol shapes the driver debugger reads (V8's Debugger and Runtime
// domains), as V8 sends them; only the fields used here.

export interface RemoteObject {
  type: 'object' | 'function' | 'undefined' | 'string' | 'number' | 'boolean' | 'symbol' | 'bigint';
  subtype?: string;
  className?: string;
  value?: unknown;
  unserializableValue?: string;
  description?: string;
  objectId?: string;
  preview?: ObjectPreview;
}

export interface ObjectPreview {
  type: string;
  subtype?: string;
  description?: string;
  overflow: boolean;
  properties: { name: string; type: string; subtype?: string; value?: string }[];
}

export interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
  set?: RemoteObject;
  writable?: boolean;
  enumerable?: boolean;
  isOwn?: boolean;
}

export interface Location {
  scriptId: string;
  lineNumber: number;
  columnNumber?: number;
}

export interface Scope {
  type: 'global' | 'local' | 'with' | 'closure' | 'catch' | 'block' | 'script' | 'eval' | 'module' | 'wasm-expression-stack';
  object: RemoteObject;
  name?: string;
  startLocation?: Location;
  endLocation?: Location;
}

export interface CallFrame {
  callFrameId: string;
  functionName: string;
  location: Location;
  url: string;
  scopeChain: Scope[];
  this: RemoteObject;
}

export interface PausedEvent {
  callFrames: CallFrame[];
  reason: string;
  data?: Record<string, unknown>;
  hitBreakpoints?: string[];
}

export interface ScriptParsedEvent {
  scriptId: string;
  url: string;
}

export interface ExceptionDetails {
  text: string;
  exception?: RemoteObject;
}

export interface EvaluateResponse {
  result: RemoteObject;
  exceptionDetails?: ExceptionDetails;
}

/** A value to pass to Runtime.callFunctionOn / Debugger.setVariableValue: the object itself, or a primitive. */
export function callArgument(o: RemoteObject): { objectId?: string; value?: unknown; unserializableValue?: string } {
  if (o.objectId) return { objectId: o.objectId };
  if (o.unserializableValue !== undefined) return { unserializableValue: o.unserializableValue };
  if (o.type === 'undefined') return {};
  return { value: o.value };
}
