// The runtime worker: hosts the simulator off the session's thread and answers the session's calls
// (protocol.ts). A driver exception inside a call becomes an error answer or a stop, never a dead
// worker; a hang is the host's watchdog's business (this thread cannot notice its own loop): the
// driver code run here is reported to it through shared memory.

import { parentPort, workerData } from 'node:worker_threads';
import { meterDriverCode, setTdrDelay } from '../../host/watchdog';
import { KERNEL_THREAD_ID, type DataBreakpointInfo, type EvaluateResult } from '../model';
import { installInspectorBridge } from './inspectorBridge';
import { type AnsweredCall, CONTROL, isAnsweredAtOnce, STEP_CODES, WorkerCall, WorkerMessage, WorkerRequest } from './protocol';
import type { CompiledTarget, RunControl, Target } from '../targets/target';
import { compileTarget, createTarget } from '../targets/create';

export function isRuntimeWorker(): boolean {
  return !!parentPort && !!(workerData as { pagingLabRuntime?: boolean } | undefined)?.pagingLabRuntime;
}

/** What a data breakpoint on a variable, an expression or an address would watch (or why none can). */
function dataBreakpointInfo(target: Target, req: Extract<WorkerCall, { op: 'dataBreakpointInfo' }>): DataBreakpointInfo {
  const data = target.gpu.data;
  if (req.dataId) return data.infoForDataId(req.dataId, req.name);
  if (req.address !== undefined) return data.infoForRange(req.address, req.bytes ?? 1);
  let r: EvaluateResult;
  try {
    r = target.evaluate(req.name, 'watch', req.frameThread);
  } catch (e) {
    return { dataId: null, description: `'${req.name}': ${(e as Error).message}` };
  }
  if (r.node?.dataId) return data.infoForDataId(r.node.dataId, req.name);
  return { dataId: null, description: `'${req.name}' is not memory a data breakpoint can watch (an allocation, a DMA buffer, an MDL, or an address with "Add Data Breakpoint at Address")` };
}

/** Every call of ANSWERED_OPS (protocol.ts) has its case in `answer`: a call left over does not compile. */
function unanswered(call: never): never {
  throw new Error(`'${(call as WorkerCall).op}' has no answer`);
}

export function startWorker(): void {
  const port = parentPort!;
  const { control, watchdog } = workerData as { control: Int32Array; watchdog: Int32Array };
  meterDriverCode(watchdog);
  let target: Target | undefined;
  let compiled: CompiledTarget | undefined;

  const post = (m: WorkerMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);
  let seenRedirect = 0;
  const ctl: RunControl = {
    pauseRequested: () => Atomics.load(control, CONTROL.pause) !== 0,
    redirected: () => {
      const g = Atomics.load(control, CONTROL.redirect);
      if (g === seenRedirect) return undefined;
      seenRedirect = g;
      const callId = Atomics.load(control, CONTROL.redirectCall);
      return { step: STEP_CODES[Atomics.load(control, CONTROL.redirectStep)] ?? 'continue', threadId: Atomics.load(control, CONTROL.redirectThread), ...(callId ? { callId } : {}) };
    },
    useTdrDelay: (ms) => setTdrDelay(watchdog, ms),
    output: (category, output) => post({ event: 'output', category, output }),
  };

  const need = (): Target => {
    if (!target && compiled) throw new Error("the driver is still loading (its module's top level is running, or paused at a line): continue until it has loaded, then ask again");
    if (!target) throw new Error('no program is loaded: send launch first');
    return target;
  };

  /** Requests answered at once from the target's state: also through the inspector while the driver is paused. */
  const answer = (call: WorkerCall): unknown => {
    if (!isAnsweredAtOnce(call)) throw new Error(`'${call.op}' cannot be answered while the driver is paused at a line of its source: continue or step first`);
    const req: AnsweredCall = call;
    switch (req.op) {
      case 'driverEdit':
        need().noteDriverEdit?.(req.what);
        return null;
      case 'setSourceBreakpoints':
        return need().setSourceBreakpoints(req.path, req.breakpoints);
      case 'breakpointLines':
        return need().breakpointLines(req.path, req.line, req.endLine);
      case 'setFunctionBreakpoints':
        // Between compiling and loading a driver (its line breakpoints go in then): checked against its files.
        if (!target && compiled?.functionBreakpoints) return compiled.functionBreakpoints(req.breakpoints);
        return need().setFunctionBreakpoints(req.breakpoints);
      case 'setInstructionBreakpoints':
        return need().gpu.setInstructionBreakpoints(req.breakpoints);
      case 'setDataBreakpoints':
        return need().gpu.data.set(req.breakpoints);
      case 'dataBreakpointInfo':
        return dataBreakpointInfo(need(), req);
      case 'setExceptionFilters':
        need().setExceptionFilters(req.filters);
        return null;
      case 'functionNames':
        return need().functionNames();
      case 'vars':
        return need().vars(req.key);
      case 'setVariable': {
        const t = need();
        return req.inDriverCall && t.inDriverCall ? t.inDriverCall(req.inDriverCall, () => t.setVariable(req.key, req.value)) : t.setVariable(req.key, req.value);
      }
      case 'readMemory': {
        const r = need().gpu.readMemory(req.address, req.count);
        return { address: req.address, bytes: r.bytes, unreadable: r.unreadable };
      }
      case 'writeMemory': {
        const t = need();
        const write = () => ({ written: t.gpu.writeMemory(req.address, req.data) });
        return req.inDriverCall && t.inDriverCall ? t.inDriverCall(req.inDriverCall, write) : write();
      }
      case 'disassemble':
        return need().gpu.disassemble(req.address, req.instructionOffset, req.count, req.resolveSymbols);
      case 'evaluate':
        return need().evaluate(req.expression, req.context, req.frameThread);
      case 'completions':
        return need().completions(req.text, req.column);
      case 'adapterState':
        return need().adapterState();
      case 'whoWrote': {
        const t = need();
        if (!t.whoWrote) throw new Error('who wrote memory is known in driver sessions (a .pgasm program runs without a recording)');
        return t.whoWrote(req.address, req.length, req.history);
      }
      case 'source':
        return need().gpu.sourceText(req.sourceReference);
      default:
        return unanswered(req);
    }
  };

  const handle = async (req: WorkerRequest): Promise<unknown> => {
    switch (req.op) {
      case 'compile': {
        compiled = await compileTarget(req.config);
        return { ...(compiled.threads ? { threads: compiled.threads } : {}), ...(compiled.driverScript ? { driverScript: compiled.driverScript } : {}) };
      }
      case 'launch': {
        target = await createTarget(req.config, ctl);
        const driverScript = target.driverScript?.();
        return { threads: target.threads(), functionNames: target.functionNames(), ...(driverScript ? { driverScript } : {}) };
      }
      // The pause flag is the host's to clear when a run begins (RuntimeHost.clearPause): a pause the
      // client sent right behind its continue is set before this thread takes the run.
      case 'start':
        seenRedirect = Atomics.load(control, CONTROL.redirect);
        return need().start(ctl, req.stopOnEntry);
      case 'run':
        seenRedirect = Atomics.load(control, CONTROL.redirect);
        if (req.driverLines && req.step === 'reverseContinue') need().searchDriverLines?.(req.driverLines);
        return need().run(req.step, req.threadId, ctl);
      case 'goToMoment': {
        const t = need();
        if (!t.goToMoment) throw new Error('only a driver session keeps a timeline to travel in: a .pgasm program runs on its own');
        return t.goToMoment(req.moment, req.as);
      }
      case 'callEntryMoment': {
        const t = need();
        if (!t.callEntryMoment) throw new Error('only a driver session keeps a timeline');
        return t.callEntryMoment(req.callId);
      }
      case 'saveRecording': {
        const t = need();
        if (!t.saveRecording) throw new Error('only a driver session has a recording: a .pgasm program runs without a scenario or a driver');
        return t.saveRecording(req.file);
      }
      default:
        return answer(req);
    }
  };

  // Messages are read in the order they were posted, their ids rising: the last id read tells a
  // request still queued from one read. One the inspector answered while the worker was paused
  // (claimed) is skipped when the worker reads it.
  let lastRead = 0;
  const claimed = new Set<number>();
  installInspectorBridge({
    answer,
    claim: (id) => {
      if (id <= lastRead) return false;
      claimed.add(id);
      return true;
    },
    pause: () => {
      const t = target as Target | undefined;
      return t?.driverPause?.() ?? { stop: { reason: 'breakpoint', threadId: KERNEL_THREAD_ID, snapshot: { threads: t?.threads() ?? [], frames: {} } } };
    },
    pendingDdiFunction: () => target?.pendingDdiFunction?.(),
    callId: () => target?.currentCallId?.() ?? 0,
    linePause: (at, stops) => target?.noteLinePause?.(at, stops) ?? false,
    describe: (name, value, path) => {
      if (!target?.describeValue) return { name, value: String(value) };
      return target.describeValue(name, value, path);
    },
  });

  port.on('message', (req: WorkerRequest) => {
    lastRead = req.id;
    if (claimed.delete(req.id)) return;
    handle(req).then(
      (result) => {
        const transfer =
          req.op === 'readMemory' && result && (result as { bytes: Uint8Array }).bytes.byteLength === (result as { bytes: Uint8Array }).bytes.buffer.byteLength
            ? [(result as { bytes: Uint8Array }).bytes.buffer as ArrayBuffer]
            : undefined;
        try {
          post({ id: req.id, ok: true, result }, transfer);
        } catch (e) {
          post({ id: req.id, ok: false, error: `could not send the answer: ${(e as Error).message}` });
        }
      },
      (e: unknown) => {
        post({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) });
      },
    );
  });
}
