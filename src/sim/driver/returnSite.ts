// Where a DDI returned. For the debugger's DDI frame once the DDI has returned: the function's
// `return` when it has exactly one, else its closing brace, never its first line (which reads as
// "about to run"); which of several `return`s ran is not known without the inspector stopping at
// each of them, so the closing brace stands for "the function has returned", as native debuggers
// show after stepping off a function's last line. For the verifier's rules judged at the return:
// the `return` that gave the status the DDI returned, when the function has one `return`, or one
// `return` of that status constant (`return STATUS_...`) whatever else it returns. Read from the
// driver's compiled script with acorn, once per function, and mapped to the .ts line through the
// driver's source map.

import { parseExpressionAt, type Node } from 'acorn';
import type { SourceLocation } from './errors';
import type { DriverSourceMap } from './sourceMap';

type AnyNode = Node & Record<string, unknown>;

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

interface Returns {
  /** Offsets of the function's own `return`s (not those of functions inside it), and what each returns when it is a named constant or a number. */
  returns: { at: number; constant?: string | number }[];
  /** Offset of its last character (block body) or of its expression body. */
  end: number;
}

/** The `return`s of the function whose text starts at `at` in `code`; undefined when it is not a function expression there. */
export function returnsOf(code: string, at: number): Returns | undefined {
  let fn: AnyNode;
  try {
    fn = parseExpressionAt(code, at, { ecmaVersion: 'latest' }) as AnyNode;
  } catch {
    return undefined; // A method or an accessor: its text does not parse on its own.
  }
  if (!FUNCTIONS.has(fn.type)) return undefined;
  const returns: Returns['returns'] = [];
  const visit = (node: AnyNode): void => {
    if (node !== fn && FUNCTIONS.has(node.type)) return;
    if (node.type === 'ReturnStatement') returns.push({ at: node.start, constant: constantOf(node.argument as AnyNode | null) });
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof (c as AnyNode).type === 'string') visit(c as AnyNode);
      } else if (v && typeof v === 'object' && typeof (v as AnyNode).type === 'string') visit(v as AnyNode);
    }
  };
  visit(fn);
  const body = fn.body as AnyNode;
  // An arrow function with an expression body returns that expression.
  return { returns, end: body.type === 'BlockStatement' ? fn.end - 1 : body.start };
}

/** `STATUS_SUCCESS`, `ddi.STATUS_SUCCESS` (as esbuild writes an import) or a number literal. */
function constantOf(arg: AnyNode | null): string | number | undefined {
  if (!arg) return undefined;
  if (arg.type === 'Literal' && typeof arg.value === 'number') return arg.value;
  if (arg.type === 'Identifier') return /^STATUS_\w+$/.test(arg.name as string) ? (arg.name as string) : undefined;
  if (arg.type === 'MemberExpression' && !arg.computed) {
    const name = (arg.property as AnyNode).name;
    return typeof name === 'string' && /^STATUS_\w+$/.test(name) ? name : undefined;
  }
  return undefined;
}

/** The offset of the only `return` of `fn` (not of functions inside it), else of its last character. */
export function returnOffset(code: string, at: number): number | undefined {
  const r = returnsOf(code, at);
  if (!r) return undefined;
  return r.returns.length === 1 ? r.returns[0].at : r.end;
}

export class ReturnSites {
  private readonly found = new WeakMap<object, Returns | null>();

  constructor(private readonly map: DriverSourceMap) {}

  /** The .ts location a frame of `fn` shows after `fn` returned; undefined when it cannot be told. */
  of(fn: unknown): SourceLocation | undefined {
    const r = this.returns(fn);
    if (!r) return undefined;
    return this.at(r.returns.length === 1 ? r.returns[0].at : r.end);
  }

  /**
   * The `return` of `fn` that gave `status` (named `statusName`): its only `return`, or its only
   * `return` of that constant; undefined when that cannot be told from the code.
   */
  ofStatus(fn: unknown, status: unknown, statusName: string | undefined): SourceLocation | undefined {
    const r = this.returns(fn);
    if (!r) return undefined;
    if (r.returns.length === 1) return this.at(r.returns[0].at);
    const named = r.returns.filter((x) => x.constant !== undefined && (x.constant === statusName || x.constant === status));
    return named.length === 1 ? this.at(named[0].at) : undefined;
  }

  private returns(fn: unknown): Returns | undefined {
    if (typeof fn !== 'function') return undefined;
    const known = this.found.get(fn);
    if (known !== undefined) return known ?? undefined;
    let r: Returns | undefined;
    try {
      const code = this.map.script.code;
      const text = Function.prototype.toString.call(fn);
      const at = text.length > 8 ? code.indexOf(text) : -1;
      r = at >= 0 ? returnsOf(code, at) : undefined;
    } catch {
      r = undefined;
    }
    this.found.set(fn, r ?? null);
    return r;
  }

  private at(offset: number): SourceLocation | undefined {
    try {
      return this.map.original(this.map.positionOf(offset));
    } catch {
      return undefined;
    }
  }
}
