// The hang watchdog's one rule, seen from both sides of its shared memory: driver code that has not
// returned after the TDR delay is a hang; many short calls, time outside driver code and time held
// paused by a debugger are not. Here this thread plays the worker (the simulator's driver-code
// reports go to the meter) while the watchdog's timer runs on the same event loop; the CLI and
// debugger suites see the same watchdog stop real workers stuck in a driver.

import assert from 'node:assert/strict';
import { DEFAULT_TDR_DELAY_MS, meterDriverCode, setTdrDelay, tdrDelayFor, Timeout, Watchdog } from '../../src/host/watchdog';
import { asHostWork, enterDriverCode, leaveDriverCode, listenToDriverCode } from '../../src/sim/runtime/driverCode';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('host: the hang watchdog', () => {
  let dogs: Watchdog[] = [];
  let fired: Timeout[] = [];

  function watch(tdrDelayMs: number): Watchdog {
    const dog = new Watchdog({ tdrDelayMs, onTimeout: (t) => fired.push(t) });
    meterDriverCode(dog.control);
    dogs.push(dog);
    return dog;
  }

  afterEach(() => {
    for (const d of dogs) d.stop();
    dogs = [];
    fired = [];
    listenToDriverCode(undefined);
  });

  it('reports driver code that does not return within the delay, naming the DDI', async () => {
    watch(100);
    enterDriverCode('DxgkDdiBuildPagingBuffer');
    await sleep(400);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].ddi, 'DxgkDdiBuildPagingBuffer');
    assert.equal(fired[0].delayMs, 100);
    assert.ok(fired[0].ms >= 100, `fired after ${fired[0].ms} ms`);
    leaveDriverCode();
  });

  it('does not count time outside driver code, however long', async () => {
    watch(60);
    enterDriverCode('DxgkDdiPatch');
    leaveDriverCode();
    await sleep(300);
    assert.deepEqual(fired, []);
  });

  it('does not add up many short calls', async () => {
    watch(100);
    const until = Date.now() + 400;
    while (Date.now() < until) {
      enterDriverCode('DxgkDdiSubmitCommand');
      await sleep(20);
      leaveDriverCode();
    }
    assert.deepEqual(fired, []);
  });

  it('does not count the kernel callbacks a DDI makes (the simulator\'s work), however long, but still the driver\'s own time around them', async () => {
    watch(100);
    enterDriverCode('DxgkDdiBusMasterTransfer');
    await sleep(30);
    // A callback that takes four delays (a large transfer copied inside StartDma).
    const startDma = asHostWork((ms: number) => {
      for (const until = Date.now() + ms; Date.now() < until; );
      return 0;
    });
    assert.equal(startDma(400), 0);
    await sleep(40);
    assert.equal(fired.length, 0, 'about 70 ms of the driver\'s own time');
    await sleep(250);
    assert.equal(fired.length, 1);
    assert.equal(fired[0].ddi, 'DxgkDdiBusMasterTransfer');
    assert.ok(fired[0].ms >= 100 && fired[0].ms < 400, `the driver's own time, without the callback: ${fired[0].ms} ms`);
    leaveDriverCode();
  });

  it('stands still while held, and gives the call a whole delay from the release', async () => {
    const dog = watch(100);
    enterDriverCode('DxgkDdiBuildPagingBuffer');
    dog.hold();
    assert.equal(dog.held, true);
    await sleep(400);
    assert.deepEqual(fired, [], 'no TDR while a debugger holds the driver paused');
    dog.release();
    assert.equal(dog.held, false);
    const released = Date.now();
    await sleep(60);
    assert.deepEqual(fired, [], 'not right after the release either');
    while (!fired.length && Date.now() - released < 2000) await sleep(10);
    assert.equal(fired.length, 1);
    assert.ok(Date.now() - released >= 100, 'a whole delay after the release');
    leaveDriverCode();
  });

  it('counts holds: the clock starts again only when the last hold is released', async () => {
    const dog = watch(60);
    enterDriverCode('DxgkDdiPatch');
    dog.hold();
    dog.hold();
    dog.release();
    await sleep(250);
    assert.deepEqual(fired, []);
    dog.release();
    assert.throws(() => dog.release(), /without a hold/);
    await sleep(300);
    assert.equal(fired.length, 1);
    leaveDriverCode();
  });

  it('names the outer call when a nested one returned and the outer one hangs', async () => {
    watch(80);
    enterDriverCode('DxgkDdiBuildPagingBuffer');
    enterDriverCode('DxgkDdiPatch');
    leaveDriverCode();
    await sleep(350);
    assert.equal(fired[0]?.ddi, 'DxgkDdiBuildPagingBuffer');
    leaveDriverCode();
  });

  it('takes the delay the worker sets once it has read the scenario', async () => {
    const dog = watch(5000);
    setTdrDelay(dog.control, 80);
    assert.equal(dog.delayMs, 80);
    enterDriverCode('DriverEntry');
    await sleep(400);
    assert.equal(fired[0]?.delayMs, 80);
    assert.equal(fired[0]?.ddi, 'DriverEntry');
    leaveDriverCode();
  });

  it('fires once, and never after stop()', async () => {
    const dog = watch(50);
    enterDriverCode('DxgkDdiPatch');
    await sleep(300);
    assert.equal(fired.length, 1);
    const other = watch(50);
    other.stop();
    await sleep(200);
    assert.equal(fired.length, 1);
    assert.equal(dog.delayMs, 50);
    leaveDriverCode();
  });

  it('has one default and one order: the user, else the scenario, else 2000 ms', () => {
    assert.equal(DEFAULT_TDR_DELAY_MS, 2000);
    assert.equal(tdrDelayFor(500, 300), 500);
    assert.equal(tdrDelayFor(undefined, 300), 300);
    assert.equal(tdrDelayFor(undefined, undefined), DEFAULT_TDR_DELAY_MS);
  });
});
