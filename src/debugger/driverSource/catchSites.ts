// Whether an exception thrown in driver code is caught by the driver's own code. V8 cannot say:
// the kernel calls every DDI inside a try/catch, so to V8 every exception the driver throws is
// "caught". The debugger stops at the throw of an exception the driver does not catch (the
// "Driver exceptions" filter) and, only when asked, at one it does ("Caught driver exceptions");
// that needs the driver's try blocks, read here from its compiled script with acorn, once. Also
// here: what such a stop says of the exception, and where the script's `debugger;` statements are
// (a step that lands on one is its pass: V8 then runs it without a pause of its own).

import { parse, type Node } from 'acorn';
import type { DriverSourceMap } from '../../sim/driver/sourceMap';
import type { ExceptionDetails } from '../model';
import type { PausedEvent } from '../runtime/cdp';

interface Range {
  start: number;
  end: number;
}

interface TryBlock extends Range {
  /** The innermost function around the try statement (its start offset; -1: the script's top level). */
  owner: number;
}

type AnyNode = Node & Record<string, unknown>;

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

export class CatchSites {
  private readonly tries: TryBlock[] = [];
  private readonly functions: Range[] = [];
  private readonly lineStarts: number[] = [0];
  private readonly statements = new Set<number>();

  constructor(code: string) {
    for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    let ast: Node;
    try {
      // The script is the body of a CommonJS wrapper function: `return` is allowed at its top level.
      ast = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true });
    } catch {
      return; // Not parsable here: every exception then counts as not caught by the driver.
    }
    this.walk(ast as AnyNode, -1);
  }

  private walk(node: AnyNode, owner: number): void {
    let inner = owner;
    if (FUNCTIONS.has(node.type)) {
      this.functions.push({ start: node.start, end: node.end });
      inner = node.start;
    }
    if (node.type === 'DebuggerStatement') this.statements.add(node.start);
    if (node.type === 'TryStatement' && node.handler) {
      const block = node.block as AnyNode;
      this.tries.push({ start: block.start, end: block.end, owner: inner });
    }
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof (c as AnyNode).type === 'string') this.walk(c as AnyNode, inner);
      } else if (v && typeof v === 'object' && typeof (v as AnyNode).type === 'string') {
        this.walk(v as AnyNode, inner);
      }
    }
  }

  /** Offset in the script of a 0-based line and column (as the inspector reports them). */
  offsetOf(line: number, column: number): number {
    return (this.lineStarts[line] ?? Number.MAX_SAFE_INTEGER) + column;
  }

  /** Whether a `debugger;` statement starts at `line` and `column` (from 0) of the script. */
  debuggerStatementAt(line: number, column: number): boolean {
    return this.statements.has(this.offsetOf(line, column));
  }

  /** True when the position (0-based line and column of the compiled script) is inside the block of a try with a catch, in the same function. */
  inTryBlock(line: number, column: number): boolean {
    const at = this.offsetOf(line, column);
    let owner = -1;
    let ownerStart = -1;
    for (const f of this.functions) {
      if (at > f.start && at < f.end && f.start > ownerStart) {
        owner = f.start;
        ownerStart = f.start;
      }
    }
    return this.tries.some((t) => t.owner === owner && at > t.start && at < t.end);
  }
}

/** What an exception stop at V8's pause `p` says: where the driver threw, what, and whether its own code catches it. */
export function exceptionDetails(p: PausedEvent, caught: boolean, map: DriverSourceMap): ExceptionDetails {
  const ex = (p.data ?? {}) as { description?: string; className?: string; subtype?: string; value?: unknown; type?: string };
  const text = ex.description ?? (ex.value !== undefined ? JSON.stringify(ex.value) : String(ex.type ?? 'exception'));
  const first = text.split('\n')[0];
  const f = p.callFrames[0];
  const at = map.original({ line: f.location.lineNumber + 1, column: (f.location.columnNumber ?? 0) + 1 });
  const where = at ? ` at ${at.file}:${at.line}:${at.column}` : '';
  const what = ex.subtype === 'error' ? first : `${first} (a value that is not an Error)`;
  return {
    exceptionId: caught ? 'driverCaughtException' : 'driverException',
    description: `The driver threw${where}${caught ? ' (its own code catches it)' : ''}: ${what}`,
    breakMode: caught ? 'always' : 'unhandled',
    details: { message: what, typeName: ex.className ?? ex.type ?? 'exception', stackTrace: text },
  };
}
