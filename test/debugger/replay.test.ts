// Replaying a recording in the debugger over the real adapter: `"replay": FILE` runs the recorded
// driver, scenario and seed again, with the same stops as a launch of the same inputs, and says the
// run reproduced the recording's digest, which `paging-lab run --record` computed in another
// process (the driver reads Math.random, Date and performance.now, and prints what they give).
// A recording that no longer matches its sources, or a launch that sets what the recording sets,
// is refused naming what differs. The session's edits are saved with pagingLab.saveRecording and
// applied again at their moment by a replay.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { distFile, ROOT, tempDir } from '../setup';
import { AdapterClient, decodeBase64, initialize } from './harness';
import { wrapReference } from '../sim/driver/drivers';
import type { Recording } from '../../src/sim/recording/recording';
import { SAVE_RECORDING_REQUEST, type SaveRecordingResponse } from '../../src/debugger/customRequests';

const SCENARIO = join(ROOT, 'samples', 'scenarios', 'default.json');
const TIMEOUT = 30000;

interface Session {
  stops: string[];
  printed: string[];
  terminatedWith: string;
}

/** Launches `args`, stops at every DxgkDdiBuildPagingBuffer call (calling `atStop` there), continues to the end. */
async function runSession(args: Record<string, unknown>, atStop?: (dc: AdapterClient, n: number) => Promise<void>): Promise<Session> {
  const dc = new AdapterClient();
  await dc.start();
  const out: { category?: string; output: string }[] = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body));
  try {
    await initialize(dc);
    const initialized = dc.waitForEvent('initialized', TIMEOUT);
    const launched = dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
    launched.catch(() => undefined);
    await initialized;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer' }] });
    const terminated = dc.waitForEvent('terminated', 4 * TIMEOUT);
    let stopped = dc.waitForEvent('stopped', TIMEOUT);
    await dc.configurationDoneRequest();
    await launched;
    const stops: string[] = [];
    for (;;) {
      const e = await Promise.race([stopped, terminated]);
      if (e.event === 'terminated') break;
      const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
      stops.push(`${(e as DebugProtocol.StoppedEvent).body.reason} ${frame.name} ${frame.line}`);
      await atStop?.(dc, stops.length);
      stopped = dc.waitForEvent('stopped', TIMEOUT);
      stopped.catch(() => undefined);
      await dc.continueRequest({ threadId: 1 });
    }
    await new Promise((r) => setTimeout(r, 100)); // the last output events
    assert.deepEqual(dc.violations, [], 'every message validates against the DAP schema');
    return {
      stops,
      printed: out.filter((o) => o.category === 'stdout').map((o) => o.output),
      terminatedWith: out.map((o) => o.output).join(''),
    };
  } finally {
    await dc.close();
  }
}

/** The launch's error message, for a launch that must be refused. */
async function launchError(args: Record<string, unknown>): Promise<string> {
  const dc = new AdapterClient();
  await dc.start();
  try {
    await initialize(dc);
    const r = await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments).then(
      () => undefined,
      (e: Error) => e.message,
    );
    assert.ok(r, 'the launch was refused');
    return r;
  } finally {
    await dc.close();
  }
}

describe('debug adapter: "replay" a recording', function () {
  this.timeout(240000);
  const dir = tempDir('paging-lab-replay-');
  const driver = wrapReference(
    dir,
    'clock.ts',
    [],
    [
      'DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {',
      '  console.log("build", Math.random(), Date.now(), performance.now());',
      '  return ref.DxgkDdiBuildPagingBuffer(h, a);',
      '},',
    ],
  );
  const recording = join(dir, 'run.json');
  let original: Session;

  before(async () => {
    const r = spawnSync(process.execPath, [distFile('cli.js'), 'run', '--quiet', '--driver', driver, '--scenario', SCENARIO, '--seed', '5', '--record', recording], { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    original = await runSession({ driver, scenario: SCENARIO, seed: 5 });
  });

  it('stops where a launch of the same inputs stops, prints the same driver output, and reproduces the command line\'s digest', async () => {
    const replay = await runSession({ replay: recording });
    const rec = JSON.parse(readFileSync(recording, 'utf8')) as Recording;
    assert.ok(original.stops.length > 5, original.stops.join('\n'));
    assert.deepEqual(replay.stops, original.stops);
    assert.ok(replay.printed.filter((l) => l.startsWith('driver: build ')).length >= original.stops.length, replay.printed.join(''));
    assert.deepEqual(replay.printed, original.printed, 'the driver saw the same Math.random, Date and performance.now');
    assert.ok(
      replay.terminatedWith.includes(`Replay of ${recording}: reproduced the recorded run (${rec.outcome!.events} events, digest ${rec.outcome!.digest!.slice(0, 16)}).`),
      replay.terminatedWith,
    );
  });

  it('refuses a recording whose driver source changed, naming the file, and a launch that also sets what the recording sets', async () => {
    const text = readFileSync(driver, 'utf8');
    writeFileSync(driver, text + '\n// changed\n');
    try {
      const e = await launchError({ replay: recording });
      assert.match(e, /^'replay': cannot replay .*run\.json: driver\.files\[\d\]: driver source .*clock\.ts changed since the recording \(sha256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\)/);
    } finally {
      writeFileSync(driver, text);
    }
    assert.match(await launchError({ replay: recording, seed: 3 }), /^'seed': the recording in 'replay' sets it: remove 'seed' from the launch configuration/);
    assert.match(await launchError({ replay: join(dir, 'absent.json') }), /^'replay': cannot replay .*absent\.json: file: not found/);
  });

  it('saves the session\'s recording with its memory edits, and a replay applies them at their moment', async () => {
    const saved = join(dir, 'edited.json');
    let address = 0;
    const edited = await runSession({ driver, scenario: SCENARIO, seed: 5 }, async (dc, n) => {
      if (n !== 1) return;
      const state = (await dc.customRequest('pagingLab.adapterState')).body as { segments: { size: number; memoryReference: string; kind: string }[] };
      const seg = state.segments.find((s) => s.kind === 'memory')!;
      address = Number(seg.memoryReference) + seg.size - 16;
      const w = (await dc.customRequest('writeMemory', { memoryReference: '0x' + address.toString(16), data: Buffer.from('recorded edit!!!').toString('base64') })) as DebugProtocol.WriteMemoryResponse;
      assert.equal(w.body?.bytesWritten, 16);
      const r = (await dc.customRequest(SAVE_RECORDING_REQUEST, { file: saved })).body as SaveRecordingResponse;
      assert.deepEqual(r, { file: saved, edits: 1, finished: false });
    });
    assert.deepEqual(edited.stops, original.stops);
    const rec = JSON.parse(readFileSync(saved, 'utf8')) as Recording;
    assert.equal(rec.edits.length, 1);
    assert.deepEqual({ ...rec.edits[0], moment: 0 }, { moment: 0, kind: 'writeMemory', address, data: Buffer.from('recorded edit!!!').toString('hex') });
    assert.ok(rec.edits[0].moment > 0);
    assert.equal(rec.outcome, undefined, 'saved before the run ended');

    const seen: string[] = [];
    const replay = await runSession({ replay: saved }, async (dc, n) => {
      if (n > 2) return;
      const r = (await dc.customRequest('readMemory', { memoryReference: '0x' + address.toString(16), count: 16 })) as DebugProtocol.ReadMemoryResponse;
      seen.push(decodeBase64(r.body?.data).toString('latin1'));
    });
    assert.deepEqual(replay.stops, original.stops);
    assert.notEqual(seen[0], 'recorded edit!!!', 'not before its moment');
    assert.equal(seen[1], 'recorded edit!!!', 'in memory once the run went past its moment');
    assert.match(replay.terminatedWith, /Replay of .*edited\.json: the recording has no digest of its run to compare with/);
  });

  it('a replay sets a DDI argument changed in Variables (setVariable) again at that call, and runs as the edited session ran', async () => {
    const saved = join(dir, 'set-variable.json');
    const edited = await runSession({ driver, scenario: SCENARIO, seed: 5 }, async (dc, n) => {
      if (n !== 1) return;
      const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
      const args = (await dc.scopesRequest({ frameId: frame.id })).body.scopes.find((x) => x.name.startsWith('Arguments'))!;
      // The first transfer resumed 64 KiB in: its first 64 KiB are never copied, and the run goes another way.
      const r = await dc.setVariableRequest({ variablesReference: args.variablesReference, name: 'MultipassOffset', value: '0x10000' });
      assert.equal(r.body.value, '0x10000');
      await dc.customRequest(SAVE_RECORDING_REQUEST, { file: saved });
    });
    assert.notDeepEqual(edited.stops, original.stops, 'the edit changed the run');
    const rec = JSON.parse(readFileSync(saved, 'utf8')) as Recording;
    assert.deepEqual(rec.edits.map((e) => [e.kind, e.path, e.value]), [['setVariable', 'MultipassOffset', '65536']]);
    const replay = await runSession({ replay: saved });
    assert.deepEqual(replay.stops, edited.stops, 'the replay runs as the edited session ran');
    assert.doesNotMatch(replay.terminatedWith, /could not be applied/);
  });
});
