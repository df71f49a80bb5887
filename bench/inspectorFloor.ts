// What one line step through a worker thread's V8 inspector costs with nothing around it: a bare
// worker spinning DEPTH calls deep, driven from the main thread the way the debug adapter drives
// the simulator (node:inspector, NodeWorker; runtime/inspector.ts). Prints the medians of
// stepInto -> Debugger.paused and of one Runtime.evaluate while paused, and the size of the paused
// event, as JSON. Run by driverSource.bench.ts in a plain Node process:
// `node inspectorFloor.js DEPTH STEPS [BINDINGS module|script]`. With BINDINGS, the spinning
// functions use that many top-level bindings, declared either in a function wrapped around the
// code (as a CommonJS module's are: one closure context, copied by V8 into the paused event for
// every frame) or at the top of a classic script (properties of the global object).

import { Worker } from 'node:worker_threads';
import { attachToWorker } from '../src/debugger/runtime/inspector';
import { medianMsAsync } from './suite';

/** The worker's code: `deep(depth)` calls down to a loop; with bindings, the functions read them (so a module keeps them in its context). */
function workerCode(depth: number, bindings: number, as: 'module' | 'script'): string {
  if (!bindings) {
    return `
    function spin() { let t = 0; for (;;) { t++;
      t--; } }
    function deep(n) { return n > 1 ? deep(n - 1) + 1 : spin(); }
    require('node:worker_threads').parentPort.postMessage('spinning');
    deep(${depth});`;
  }
  const names = Array.from({ length: bindings }, (_, i) => `b${i}`);
  const body = `
    ${names.map((n, i) => `var ${n} = ${i};`).join('\n')}
    function sum() { return ${names.join(' + ')}; }
    function spin() { let t = sum(); for (;;) { t++;
      t--; } }
    function deep(n) { return n > 1 ? deep(n - 1) + b0 : spin(); }
    require('node:worker_threads').parentPort.postMessage('spinning');
    deep(${depth});`;
  return as === 'module' ? `(function () {${body}\n})();` : body;
}

async function main(depth: number, steps: number, bindings: number, as: 'module' | 'script'): Promise<void> {
  let worker: Worker | undefined;
  let spinning: Promise<unknown> | undefined;
  const name = `paging-lab bench inspector floor ${depth}`;
  const code = workerCode(depth, bindings, as);
  const link = await attachToWorker(
    name,
    () => {
      worker = new Worker(code, { eval: true, name });
      spinning = new Promise((r) => worker!.once('message', r));
    },
    async (l) => {
      await l.send('Debugger.enable');
    },
  );
  let waiter: ((bytes: number) => void) | undefined;
  let frames = 0;
  link.on<{ callFrames: unknown[] }>('Debugger.paused', (p) => {
    frames = p.callFrames.length;
    waiter?.(JSON.stringify(p).length);
  });
  const paused = (): Promise<number> => new Promise((r) => (waiter = r));
  let pausedBytes = 0;
  // Paused once it spins in our code, not while Node starts the thread.
  await spinning;
  const first = paused();
  await link.send('Debugger.pause');
  pausedBytes = await first;
  const step = await medianMsAsync(steps, async () => {
    const p = paused();
    await link.send('Debugger.stepInto'); // not Over: the pause may land in deep(), before the call that never returns
    pausedBytes = await p;
  });
  const evaluate = await medianMsAsync(steps, () => link.send('Runtime.evaluate', { expression: '1', returnByValue: true }));
  await link.send('Debugger.resume');
  await link.detach();
  await worker?.terminate();
  process.stdout.write(JSON.stringify({ step, evaluate, pausedBytes, frames }) + '\n');
}

main(Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 300), Number(process.argv[4] ?? 0), process.argv[5] === 'module' ? 'module' : 'script').then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
