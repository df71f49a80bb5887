// A step by line that V8 broke off before its end. V8 pauses at every breakpoint it meets, in the
// middle of a step too: at a log point, or a breakpoint whose hit count is not reached (neither
// stops), inside a function a Step Over goes over or below the function a Step Out leaves, the step
// would end there, in the wrong place (and a step taken again while going back would go on from
// there, another way than the user's). It goes on instead, as it would have gone without them: out
// of the functions it went into, then over the rest of the line it began on (Step Out: out again).

/** Where a step by line began: the depth of V8's stack and the line (of the compiled script), and how it goes on. */
export interface StepOrigin {
  depth: number;
  line: number;
  command: 'next' | 'stepIn' | 'stepOut';
  /** 'out': going out of functions the step was broken off in; 'over': then over the rest of its line. */
  phase: 'on' | 'out' | 'over';
}

/** Where a step by line `step` begins, V8's stack `depth` deep, on `line`. */
export function stepOrigin(depth: number, line: number, step: string): StepOrigin {
  return { depth, line, command: step === 'next' || step === 'stepIn' ? step : 'stepOut', phase: 'on' };
}

/**
 * The inspector command that takes the step begun at `from` on from a pause at stack depth `depth`
 * on `line`, or undefined when the step has ended there. `brokeOff`: the pause is at breakpoints,
 * none of which stops.
 */
export function goOnCommand(from: StepOrigin, depth: number, line: number, brokeOff: boolean): 'Debugger.stepOut' | 'Debugger.stepOver' | undefined {
  if (from.command === 'stepIn') return undefined;
  const inside = from.command === 'next' ? depth > from.depth : depth >= from.depth;
  if ((brokeOff || from.phase === 'out') && inside) {
    from.phase = 'out';
    return 'Debugger.stepOut';
  }
  // Back in the function it began in, in the middle of its line (a step out lands after the call).
  if (from.command === 'next' && from.phase === 'out' && depth === from.depth && line === from.line) {
    from.phase = 'over';
    return 'Debugger.stepOver';
  }
  return undefined;
}
