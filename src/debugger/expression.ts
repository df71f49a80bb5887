// A small, safe expression language for breakpoint conditions, watch, hover and the debug console:
// literals, names, member access, indexing, unary/binary/ternary operators. No calls and no
// assignment, so evaluating a user's condition can never run code or change the simulation.
// Values that carry both a number and names (enums, NTSTATUS) compare equal to either form, so
// `Operation == "Transfer"` and `Operation == 1` both hold for a transfer.

/** A decoded enum or status value: equal to its number and to any of its names. */
export interface NamedValue {
  readonly kind: 'named';
  readonly value: number;
  readonly names: readonly string[];
}

export function named(value: number, ...names: string[]): NamedValue {
  return { kind: 'named', value, names };
}

export type Value = number | bigint | string | boolean | null | undefined | NamedValue | { [k: string]: Value } | Value[];

export class ExpressionError extends Error {}

/** A console command's argument left out (runCommand adds the command's usage). */
export class MissingArgument extends ExpressionError {}

type Tok =
  | { t: 'num'; v: number | bigint; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'id'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

const OPS = ['===', '!==', '<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '??', '+', '-', '*', '/', '%', '<', '>', '!', '~', '&', '|', '^', '(', ')', '[', ']', '.', '?', ':', ','];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0x[0-9a-f_]+|0b[01_]+|[0-9][0-9_]*(\.[0-9]+)?)(n)?/i.exec(src.slice(i))!;
      const text = m[1].replace(/_/g, '');
      if (/[g-z]/i.test(src[i + m[0].length] ?? '')) throw new ExpressionError(`bad number at column ${i + 1}`);
      let v: number | bigint;
      if (m[3] || (/^0[xb]/i.test(text) && text.length > 15)) v = BigInt(text);
      else v = Number(text);
      if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && !m[3]) v = Number(v);
      out.push({ t: 'num', v, at: i });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[j + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new ExpressionError(`unterminated string at column ${i + 1}`);
      out.push({ t: 'str', v: s, at: i });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0], at: i });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected '${c}' at column ${i + 1}`);
    out.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  out.push({ t: 'end', at: src.length });
  return out;
}

type Node =
  | { k: 'lit'; v: Value }
  | { k: 'name'; name: string }
  | { k: 'member'; obj: Node; prop: Node; computed: boolean }
  | { k: 'unary'; op: string; arg: Node }
  | { k: 'binary'; op: string; l: Node; r: Node }
  | { k: 'cond'; test: Node; yes: Node; no: Node };

const BINARY_PREC: Record<string, number> = {
  '??': 1,
  '||': 2,
  '&&': 3,
  '|': 4,
  '^': 5,
  '&': 6,
  '==': 7,
  '!=': 7,
  '===': 7,
  '!==': 7,
  '<': 8,
  '<=': 8,
  '>': 8,
  '>=': 8,
  '<<': 9,
  '>>': 9,
  '+': 10,
  '-': 10,
  '*': 11,
  '/': 11,
  '%': 11,
};

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new ExpressionError(`expected '${v}' at column ${this.peek().at + 1}`);
    this.i++;
  }

  parseAll(): Node {
    if (this.peek().t === 'end') throw new ExpressionError('empty expression');
    const n = this.conditional();
    const t = this.peek();
    if (t.t !== 'end') throw new ExpressionError(`unexpected '${'v' in t ? String(t.v) : ''}' at column ${t.at + 1}`);
    return n;
  }

  private conditional(): Node {
    const test = this.binary(1);
    if (!this.isOp('?')) return test;
    this.i++;
    const yes = this.conditional();
    this.expect(':');
    const no = this.conditional();
    return { k: 'cond', test, yes, no };
  }

  private binary(minPrec: number): Node {
    let l = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t.t === 'op' ? BINARY_PREC[t.v] : undefined;
      if (prec === undefined || prec < minPrec) return l;
      this.i++;
      const r = this.binary(prec + 1);
      l = { k: 'binary', op: (t as { v: string }).v, l, r };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '!' || t.v === '-' || t.v === '+' || t.v === '~')) {
      this.i++;
      return { k: 'unary', op: t.v, arg: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let n = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.peek();
        if (t.t !== 'id') throw new ExpressionError(`expected a field name at column ${t.at + 1}`);
        this.i++;
        n = { k: 'member', obj: n, prop: { k: 'lit', v: t.v }, computed: false };
      } else if (this.isOp('[')) {
        this.i++;
        const prop = this.conditional();
        this.expect(']');
        n = { k: 'member', obj: n, prop, computed: true };
      } else if (this.isOp('(')) {
        throw new ExpressionError('function calls are not supported in expressions');
      } else return n;
    }
  }

  private primary(): Node {
    const t = this.peek();
    this.i++;
    switch (t.t) {
      case 'num':
      case 'str':
        return { k: 'lit', v: t.v };
      case 'id':
        if (t.v === 'true') return { k: 'lit', v: true };
        if (t.v === 'false') return { k: 'lit', v: false };
        if (t.v === 'null') return { k: 'lit', v: null };
        if (t.v === 'undefined') return { k: 'lit', v: undefined };
        return { k: 'name', name: t.v };
      case 'op':
        if (t.v === '(') {
          const n = this.conditional();
          this.expect(')');
          return n;
        }
        throw new ExpressionError(`unexpected '${t.v}' at column ${t.at + 1}`);
      case 'end':
        throw new ExpressionError('unexpected end of expression');
    }
  }
}

/** A parsed expression, reusable across evaluations (a breakpoint condition is parsed once). */
export interface Compiled {
  readonly source: string;
  evaluate(scope: Scope): Value;
}

/** Where names come from: a plain object tree, or a function for computed names. */
export type Scope = Record<string, Value> | ((name: string) => Value | typeof UNKNOWN);

export const UNKNOWN: unique symbol = Symbol('unknown name');

export function compile(source: string): Compiled {
  if (typeof source !== 'string') throw new ExpressionError('the expression must be a string');
  if (source.length > 4096) throw new ExpressionError('the expression is longer than 4096 characters');
  const ast = new Parser(tokenize(source)).parseAll();
  return { source, evaluate: (scope) => evalNode(ast, scope, 0) };
}

export function evaluate(source: string, scope: Scope): Value {
  return compile(source).evaluate(scope);
}

export function isNamed(v: Value): v is NamedValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { kind?: unknown }).kind === 'named' && 'names' in v;
}

/** A value as a primitive for arithmetic and comparison. */
function prim(v: Value): number | bigint | string | boolean | null | undefined {
  if (isNamed(v)) return v.value;
  if (typeof v === 'object' && v !== null) return NaN;
  return v;
}

function truthy(v: Value): boolean {
  return Boolean(prim(v));
}

function looseEquals(a: Value, b: Value): boolean {
  if (isNamed(a) && typeof b === 'string') return a.names.some((n) => n.toLowerCase() === b.toLowerCase());
  if (isNamed(b) && typeof a === 'string') return looseEquals(b, a);
  const pa = prim(a);
  const pb = prim(b);
  if ((pa === null || pa === undefined) && (pb === null || pb === undefined)) return true;
  if (typeof pa === 'bigint' || typeof pb === 'bigint') {
    try {
      return BigInt(pa as never) === BigInt(pb as never);
    } catch {
      return false;
    }
  }
  return pa === pb || (typeof pa !== typeof pb && pa != null && pb != null && Number(pa) === Number(pb));
}

function toInt(v: Value, what: string): bigint {
  const p = prim(v);
  if (typeof p === 'bigint') return p;
  if (typeof p === 'number' && Number.isInteger(p)) return BigInt(p);
  if (typeof p === 'boolean') return p ? 1n : 0n;
  throw new ExpressionError(`${what} needs an integer, got ${describe(v)}`);
}

function fromBig(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function describe(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (isNamed(v)) return v.names[0] ?? String(v.value);
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'an array' : 'a structure';
  return String(v);
}

function arith(op: string, a: Value, b: Value): Value {
  if (isStructure(a) || isStructure(b)) throw new ExpressionError(`'${op}' needs numbers, got ${describe(a)} and ${describe(b)}`);
  const pa = prim(a);
  const pb = prim(b);
  if (op === '+' && (typeof pa === 'string' || typeof pb === 'string')) return String(pa) + String(pb);
  const bitwise = op === '&' || op === '|' || op === '^' || op === '<<' || op === '>>';
  if (bitwise || typeof pa === 'bigint' || typeof pb === 'bigint') {
    const x = toInt(a, `'${op}'`);
    const y = toInt(b, `'${op}'`);
    switch (op) {
      case '+': return fromBig(x + y);
      case '-': return fromBig(x - y);
      case '*': return fromBig(x * y);
      case '/': if (y === 0n) throw new ExpressionError('division by zero'); return fromBig(x / y);
      case '%': if (y === 0n) throw new ExpressionError('division by zero'); return fromBig(x % y);
      case '&': return fromBig(x & y);
      case '|': return fromBig(x | y);
      case '^': return fromBig(x ^ y);
      case '<<': if (y < 0n || y > 128n) throw new ExpressionError('shift out of range'); return fromBig(x << y);
      case '>>': if (y < 0n || y > 128n) throw new ExpressionError('shift out of range'); return fromBig(x >> y);
    }
  }
  if (typeof pa !== 'number' || typeof pb !== 'number') {
    throw new ExpressionError(`'${op}' needs numbers, got ${describe(a)} and ${describe(b)}`);
  }
  switch (op) {
    case '+': return pa + pb;
    case '-': return pa - pb;
    case '*': return pa * pb;
    case '/': if (pb === 0) throw new ExpressionError('division by zero'); return pa / pb;
    case '%': if (pb === 0) throw new ExpressionError('division by zero'); return pa % pb;
  }
  throw new ExpressionError(`unknown operator '${op}'`);
}

function isStructure(v: Value): boolean {
  return typeof v === 'object' && v !== null && !isNamed(v);
}

function compare(op: string, a: Value, b: Value): boolean {
  if (isStructure(a) || isStructure(b)) throw new ExpressionError(`'${op}' needs numbers or strings, got ${describe(a)} and ${describe(b)}`);
  const pa = prim(a);
  const pb = prim(b);
  if (typeof pa === 'string' && typeof pb === 'string') {
    return op === '<' ? pa < pb : op === '<=' ? pa <= pb : op === '>' ? pa > pb : pa >= pb;
  }
  let x: number | bigint;
  let y: number | bigint;
  if (typeof pa === 'bigint' || typeof pb === 'bigint') {
    x = toInt(a, `'${op}'`);
    y = toInt(b, `'${op}'`);
  } else {
    if (typeof pa !== 'number' || typeof pb !== 'number') {
      throw new ExpressionError(`'${op}' needs numbers or strings, got ${describe(a)} and ${describe(b)}`);
    }
    x = pa;
    y = pb;
  }
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function lookup(scope: Scope, name: string): Value {
  if (typeof scope === 'function') {
    const v = scope(name);
    if (v === UNKNOWN) throw new ExpressionError(`unknown name '${name}'`);
    return v as Value;
  }
  if (!Object.prototype.hasOwnProperty.call(scope, name)) throw new ExpressionError(`unknown name '${name}'`);
  return scope[name];
}

function member(obj: Value, key: Value): Value {
  if (obj === null || obj === undefined) throw new ExpressionError(`cannot read '${String(key)}' of ${String(obj)}`);
  if (Array.isArray(obj)) {
    const i = Number(prim(key));
    if (!Number.isInteger(i)) throw new ExpressionError(`index ${describe(key)} is not an integer`);
    if (i < 0 || i >= obj.length) throw new ExpressionError(`index ${i} is outside 0..${obj.length - 1}`);
    return obj[i];
  }
  if (typeof obj === 'object' && !isNamed(obj)) {
    const k = String(prim(key));
    if (!Object.prototype.hasOwnProperty.call(obj, k)) {
      throw new ExpressionError(`no field '${k}' (fields: ${Object.keys(obj).slice(0, 20).join(', ')})`);
    }
    return (obj as Record<string, Value>)[k];
  }
  if (isNamed(obj) && prim(key) === 'value') return obj.value;
  if (typeof obj === 'string' && prim(key) === 'length') return obj.length;
  throw new ExpressionError(`${describe(obj)} has no field '${String(prim(key))}'`);
}

function evalNode(n: Node, scope: Scope, depth: number): Value {
  if (depth > 200) throw new ExpressionError('expression nested too deeply');
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'name':
      return lookup(scope, n.name);
    case 'member':
      return member(evalNode(n.obj, scope, depth + 1), evalNode(n.prop, scope, depth + 1));
    case 'unary': {
      const v = evalNode(n.arg, scope, depth + 1);
      if (n.op === '!') return !truthy(v);
      if (n.op === '~') return fromBig(~toInt(v, "'~'"));
      const p = prim(v);
      if (typeof p === 'bigint') return fromBig(n.op === '-' ? -p : p);
      if (typeof p !== 'number') throw new ExpressionError(`'${n.op}' needs a number, got ${describe(v)}`);
      return n.op === '-' ? -p : p;
    }
    case 'cond':
      return truthy(evalNode(n.test, scope, depth + 1)) ? evalNode(n.yes, scope, depth + 1) : evalNode(n.no, scope, depth + 1);
    case 'binary': {
      const l = evalNode(n.l, scope, depth + 1);
      if (n.op === '&&') return truthy(l) ? evalNode(n.r, scope, depth + 1) : l;
      if (n.op === '||') return truthy(l) ? l : evalNode(n.r, scope, depth + 1);
      if (n.op === '??') return l ?? evalNode(n.r, scope, depth + 1);
      const r = evalNode(n.r, scope, depth + 1);
      switch (n.op) {
        case '==':
        case '===':
          return looseEquals(l, r);
        case '!=':
        case '!==':
          return !looseEquals(l, r);
        case '<':
        case '<=':
        case '>':
        case '>=':
          return compare(n.op, l, r);
        default:
          return arith(n.op, l, r);
      }
    }
  }
}

export function isTruthy(v: Value): boolean {
  return truthy(v);
}

/** How the console and watch show a value. */
export function formatValue(v: Value, hex = true): string {
  if (isNamed(v)) return `${v.names[0] ?? '?'} (${v.value < 0 ? v.value : '0x' + v.value.toString(16)})`;
  if (typeof v === 'number') return Number.isInteger(v) && hex && Math.abs(v) > 9 ? `${v < 0 ? '-' : ''}0x${Math.abs(v).toString(16)}` : String(v);
  if (typeof v === 'bigint') return hex ? `0x${v.toString(16)}` : v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.length}]`;
  return `{${Object.keys(v).slice(0, 6).join(', ')}${Object.keys(v).length > 6 ? ', …' : ''}}`;
}
