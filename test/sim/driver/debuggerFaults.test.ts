// The same driver faults under the real debug adapter: each stops on a driver exception (first
// where the driver's code threw, when it did, then as the kernel reports it) with exceptionInfo
// naming the DDI and the driver line, the stop's frames and variables answer, and the
// session then ends with exit code 1 while the adapter process stays up.

import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { tempDir } from '../../setup';
import { AdapterClient, initialize } from '../../debugger/harness';
import { lineOf, wrapReference } from './drivers';

const KERNEL = 1;
const dir = tempDir('paging-lab-debugger-faults-');

const CASES = [
  {
    name: 'a DDI returning a rejected Promise',
    overrides: ['async DxgkDdiBuildPagingBuffer(): Promise<number> {', '  throw new Error("not now");', '},'],
    text: /DxgkDdiBuildPagingBuffer returned a Promise \(rejected with Error: not now\)/,
    line: 'async DxgkDdiBuildPagingBuffer',
  },
  {
    name: 'throw Object.create(null)',
    overrides: ['DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {', '  if (h) throw Object.create(null);', '  return ref.DxgkDdiBuildPagingBuffer(h, a);', '},'],
    text: /DxgkDdiBuildPagingBuffer threw at .*: an object with no prototype/,
    line: 'DxgkDdiBuildPagingBuffer(h: unknown',
  },
  {
    name: 'a throwing getter left on pDmaBuffer.Offset',
    overrides: [
      'DxgkDdiBuildPagingBuffer(h: unknown, a: { pDmaBuffer: object }): number {',
      '  const st = ref.DxgkDdiBuildPagingBuffer(h, a as never);',
      '  Object.defineProperty(a.pDmaBuffer, "Offset", { get() { throw new TypeError("no offset for you"); }, set() {} });',
      '  return st;',
      '},',
    ],
    text: /the driver's code threw .*TypeError: no offset for you/,
    line: 'no offset for you',
  },
];

describe("sim/driver: driver faults under the debugger stop as the driver's exception", function () {
  this.timeout(60000);
  let dc: AdapterClient;

  beforeEach(async () => {
    dc = new AdapterClient();
    await dc.start();
  });

  afterEach(async () => {
    await dc.close();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const driver = wrapReference(dir, `${c.name.replace(/\W+/g, '-')}.ts`, [], c.overrides);
      await initialize(dc);
      const initialized = dc.waitForEvent('initialized', 30000);
      const launched = dc.launchRequest({ driver } as DebugProtocol.LaunchRequestArguments);
      await initialized;
      await dc.setExceptionBreakpointsRequest({ filters: ['driverException', 'verifier'] });
      const stopped = dc.waitForEvent('stopped', 30000) as Promise<DebugProtocol.StoppedEvent>;
      await dc.configurationDoneRequest();
      await launched;
      let stop = await stopped;
      assert.equal(stop.body.reason, 'exception');
      // First chance: where the driver's code threw, in its source; then as the kernel reports it.
      for (let n = 0; n < 5; n++) {
        const first = await dc.exceptionInfoRequest({ threadId: KERNEL });
        if (first.body.exceptionId !== 'driverException') break;
        assert.match(first.body.description ?? '', /^The driver threw at /);
        assert.equal((await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames[0].source?.path, driver);
        const next = dc.waitForEvent('stopped', 30000) as Promise<DebugProtocol.StoppedEvent>;
        await dc.continueRequest({ threadId: KERNEL });
        stop = await next;
        assert.equal(stop.body.reason, 'exception');
      }
      const info = await dc.exceptionInfoRequest({ threadId: KERNEL });
      assert.match(info.body.exceptionId, /^driverException/);
      assert.match(info.body.description ?? '', c.text);
      assert.doesNotMatch(info.body.description ?? '', /internal/);
      assert.ok(info.body.description?.includes(`${driver}:${lineOf(driver, c.line)}:`), info.body.description);
      const frames = (await dc.stackTraceRequest({ threadId: KERNEL })).body.stackFrames;
      assert.equal(frames[0].source?.path, driver);
      const scopes = await dc.scopesRequest({ frameId: frames[0].id });
      for (const s of scopes.body.scopes) await dc.variablesRequest({ variablesReference: s.variablesReference });
      const exited = dc.waitForEvent('exited');
      await dc.continueRequest({ threadId: KERNEL });
      assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 1);
      assert.ok(dc.alive, 'the adapter process is still running');
      assert.deepEqual(dc.violations, []);
    });
  }
});
