// The driver's script as the V8 inspector sees it, driven the way the debugger will drive it: from
// the main thread through node:inspector's NodeWorker domain into a worker that loads the driver.
// The script is reported under its own name, and a breakpoint placed by that name at the generated
// position of a .ts line (from the source map the loader keeps) stops there.

import assert from 'node:assert/strict';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileDriver } from '../../../src/sim/driver/loader';
import { tempDir } from '../../setup';
import { lineOf, writeDriver } from './drivers';

const dir = tempDir('paging-lab-inspector-');

interface Cdp {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

describe('sim/driver: the driver script under the V8 inspector (NodeWorker)', function () {
  this.timeout(30000);

  it('reports the compiled script by its own name and stops at a breakpoint placed through the source map', async () => {
    const helper = writeDriver(dir, 'helper.ts', ['export function scale(n: number): number {', '  const doubled = n * 2;', '  return doubled + 1;', '}']);
    const file = writeDriver(dir, 'driver.ts', ['import { scale } from "./helper";', 'export function DriverEntry(): number {', '  return scale(20) === 41 ? 0 : 1;', '}']);
    const compiled = await compileDriver(file);
    const target = compiled.sourceMap.generated(helper, lineOf(helper, 'return doubled'));
    assert.ok(target);

    const loader = join(__dirname, '..', '..', '..', 'src', 'sim', 'driver', 'loader.ts');
    const source = [
      `require(${JSON.stringify(require.resolve('tsx/cjs'))});`,
      `const { parentPort, workerData } = require('node:worker_threads');`,
      `const { loadDriver } = require(${JSON.stringify(loader)});`,
      `parentPort.once('message', async () => {`,
      `  const d = await loadDriver(workerData.file, { seed: 1, now: () => 0, print: () => undefined });`,
      `  parentPort.postMessage({ result: d.DriverEntry({ DriverName: 'x', DriverInitializationData: null }, '') });`,
      `});`,
    ].join('\n');

    const session = new Session();
    session.connect();
    const parsed: { url: string; scriptId: string }[] = [];
    const paused: { url: string; line: number; column: number }[] = [];
    let worker: Worker | undefined;
    try {
      // Other workers of this process (the test runner's TypeScript loader) attach too: pick ours by name.
      const attached = new Promise<string>((resolve) =>
        session.on('NodeWorker.attachedToWorker', (m) => {
          const p = m.params as { sessionId: string; workerInfo: { title: string } };
          if (p.workerInfo.title.endsWith('paging-lab simulator')) resolve(p.sessionId);
        }),
      );
      await new Promise<void>((resolve, reject) => session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (e) => (e ? reject(e) : resolve())));
      worker = new Worker(source, { eval: true, name: 'paging-lab simulator', workerData: { file } });
      const sessionId = await attached;
      let nextId = 0;
      const replies = new Map<number, (m: Cdp) => void>();
      const send = (method: string, params: Record<string, unknown> = {}): Promise<Cdp> =>
        new Promise((resolve) => {
          const id = ++nextId;
          replies.set(id, resolve);
          session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) });
        });
      const scripts = new Map<string, string>();
      session.on('NodeWorker.receivedMessageFromWorker', (m) => {
        const msg = JSON.parse((m.params as { message: string }).message) as Cdp;
        if (msg.id !== undefined) replies.get(msg.id)?.(msg);
        if (msg.method === 'Debugger.scriptParsed') {
          const p = msg.params as { url: string; scriptId: string };
          scripts.set(p.scriptId, p.url);
          if (p.url.startsWith('paging-lab-driver:')) parsed.push({ url: p.url, scriptId: p.scriptId });
        }
        if (msg.method === 'Debugger.paused') {
          const frame = (msg.params as { callFrames: { location: { scriptId: string; lineNumber: number; columnNumber: number } }[] }).callFrames[0];
          paused.push({ url: scripts.get(frame.location.scriptId) ?? '', line: frame.location.lineNumber + 1, column: frame.location.columnNumber + 1 });
          void send('Debugger.resume');
        }
      });
      await send('Debugger.enable');
      const bp = await send('Debugger.setBreakpointByUrl', { url: compiled.script.name, lineNumber: target.line - 1, columnNumber: target.column - 1 });
      assert.ok(bp.result?.breakpointId);
      const done = new Promise<{ result: number }>((resolve) => worker!.once('message', resolve));
      worker.postMessage('load');
      assert.deepEqual(await done, { result: 0 });
    } finally {
      session.disconnect();
      await worker?.terminate();
    }
    assert.deepEqual(parsed.map((p) => p.url), [compiled.script.name]);
    assert.equal(paused.length, 1, 'the breakpoint was hit once');
    assert.equal(paused[0].url, compiled.script.name);
    const at = compiled.sourceMap.original(paused[0]);
    assert.deepEqual({ file: at?.file, line: at?.line }, { file: helper, line: lineOf(helper, 'return doubled') });
  });
});
