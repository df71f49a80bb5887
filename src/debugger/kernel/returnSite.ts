// Where a DDI's frame points once the DDI has returned: at the function's `return` when it has
// exactly one, else at its closing brace, never at its first line (which reads as "about to run").
// Which of several `return`s ran is not known without the inspector stopping at each of them, so
// the closing brace stands for "the function has returned", as native debuggers show after
// stepping off a function's last line. Read from the driver's compiled script with acorn, once
// per function, and mapped to the .ts line through the driver's source map.

import { parseExpressionAt, type Node } from 'acorn';
import type { SourceLocation } from '../../sim/driver/errors';
import type { DriverSourceMap } from '../../sim/driver/sourceMap';

type AnyNode = Node & Record<string, unknown>;

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** The offset of the only `return` of `fn` (not of functions inside it), else of its last character. */
export function returnOffset(code: string, at: number): number | undefined {
  let fn: AnyNode;
  try {
    fn = parseExpressionAt(code, at, { ecmaVersion: 'latest' }) as AnyNode;
  } catch {
    return undefined; // A method or an accessor: its text does not parse on its own.
  }
  if (!FUNCTIONS.has(fn.type)) return undefined;
  const returns: AnyNode[] = [];
  const visit = (node: AnyNode): void => {
    if (node !== fn && FUNCTIONS.has(node.type)) return;
    if (node.type === 'ReturnStatement') returns.push(node);
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof (c as AnyNode).type === 'string') visit(c as AnyNode);
      } else if (v && typeof v === 'object' && typeof (v as AnyNode).type === 'string') visit(v as AnyNode);
    }
  };
  visit(fn);
  if (returns.length === 1) return returns[0].start;
  const body = fn.body as AnyNode;
  // An arrow function with an expression body returns that expression.
  return body.type === 'BlockStatement' ? fn.end - 1 : body.start;
}

export class ReturnSites {
  private readonly found = new WeakMap<object, SourceLocation | null>();

  constructor(private readonly map: DriverSourceMap) {}

  /** The .ts location a frame of `fn` shows after `fn` returned; undefined when it cannot be told. */
  of(fn: unknown): SourceLocation | undefined {
    if (typeof fn !== 'function') return undefined;
    const known = this.found.get(fn);
    if (known !== undefined) return known ?? undefined;
    let loc: SourceLocation | undefined;
    try {
      const code = this.map.script.code;
      const text = Function.prototype.toString.call(fn);
      const at = text.length > 8 ? code.indexOf(text) : -1;
      const offset = at >= 0 ? returnOffset(code, at) : undefined;
      if (offset !== undefined) loc = this.map.original(this.map.positionOf(offset));
    } catch {
      loc = undefined;
    }
    this.found.set(fn, loc ?? null);
    return loc;
  }
}
