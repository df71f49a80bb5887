// The protocol itself: the schema validator that checks every message the suites see really rejects
// bad messages; launch configurations are refused with the attribute and the fix named; and
// thousands of generated malformed and out-of-order requests each get an error response (or a
// valid answer), never a crash.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { AdapterClient, initialize, RawAdapter } from './harness';
import { protocolValidator } from './protocolSchema';
import { tempDir } from '../setup';

const PROGRAM = join(__dirname, 'fixtures', 'copy.pgasm');

describe('debug adapter: protocol conformance', function () {
  this.timeout(60000);

  describe('the DAP schema validator', () => {
    before(function () {
      this.timeout(60000);
      protocolValidator();
    });

    it('accepts well-formed messages of each kind', () => {
      const v = protocolValidator();
      assert.equal(v.problems({ seq: 3, type: 'event', event: 'stopped', body: { reason: 'step', threadId: 1 } }), null);
      assert.equal(
        v.problems({ seq: 4, type: 'response', request_seq: 2, command: 'stackTrace', success: true, body: { stackFrames: [{ id: 1, name: 'f', line: 1, column: 1 }] } }),
        null,
      );
      assert.equal(v.problems({ seq: 5, type: 'response', request_seq: 3, command: 'next', success: false, message: 'no', body: { error: { id: 1, format: 'no' } } }), null);
    });

    it('rejects malformed messages, naming the type and the problem', () => {
      const v = protocolValidator();
      const noReason = v.problems({ seq: 3, type: 'event', event: 'stopped', body: { threadId: 1 } });
      assert.match(noReason ?? '', /^DebugProtocol\.StoppedEvent: .*must have required property 'reason'/);
      const badFrame = v.problems({ seq: 4, type: 'response', request_seq: 2, command: 'stackTrace', success: true, body: { stackFrames: [{ id: 1, name: 'f', column: 1 }] } });
      assert.match(badFrame ?? '', /^DebugProtocol\.StackTraceResponse: .*line/);
      const wrongType = v.problems({ seq: '4', type: 'response', request_seq: 2, command: 'threads', success: true, body: { threads: [] } });
      assert.match(wrongType ?? '', /seq must be number/);
      const extra = v.problems({ seq: 9, type: 'event', event: 'memory', body: { memoryReference: '0x0', offset: 0, count: 1, bogus: true } });
      assert.match(extra ?? '', /must NOT have additional properties/);
      const memory = v.problems({ seq: 9, type: 'response', request_seq: 1, command: 'readMemory', success: true, body: { data: 'AA==' } });
      assert.match(memory ?? '', /^DebugProtocol\.ReadMemoryResponse: .*address/);
    });

    it("holds the specification's own constraints: seq and request_seq from 1, references never negative, integer ids", () => {
      const v = protocolValidator();
      const noSeq = v.problems({ seq: 4, type: 'response', request_seq: 0, command: 'unknown', success: false, message: 'no', body: { error: { id: 1, format: 'no' } } });
      assert.match(noSeq ?? '', /request_seq must be >= 1/);
      assert.match(v.problems({ seq: 0, type: 'event', event: 'initialized' }) ?? '', /seq must be >= 1/);
      const negative = v.problems({ seq: 5, type: 'response', request_seq: 2, command: 'variables', success: true, body: { variables: [{ name: 'a', value: '1', variablesReference: -1 }] } });
      assert.match(negative ?? '', /variablesReference must be >= 0/);
      const fraction = v.problems({ seq: 6, type: 'event', event: 'stopped', body: { reason: 'step', threadId: 1.5 } });
      assert.match(fraction ?? '', /threadId must be multiple of 1/);
      const hint = v.problems({ seq: 7, type: 'response', request_seq: 3, command: 'stackTrace', success: true, body: { stackFrames: [{ id: 1, name: 'f', line: 1, column: 1, presentationHint: 'loud' }] } });
      assert.match(hint ?? '', /must be equal to one of the allowed values/);
    });
  });

  describe('launch validation', () => {
    let dc: AdapterClient;
    beforeEach(async () => {
      dc = new AdapterClient();
      await dc.start();
      await initialize(dc);
    });
    afterEach(async () => {
      const violations = dc.violations.slice();
      await dc.close();
      assert.deepEqual(violations, []);
    });

    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['seed', { program: PROGRAM, seed: 'one' }, /^'seed': must be an integer from 0 to 4294967295, got "one"$/],
      ['stopOnEntry', { program: PROGRAM, stopOnEntry: 'yes' }, /^'stopOnEntry': must be true or false/],
      ['tdrDelayMs', { program: PROGRAM, tdrDelayMs: -5 }, /^'tdrDelayMs': must be a number of milliseconds from 50 to 600000, got -5$/],
      ['verifier', { program: PROGRAM, verifier: 'strict' }, /^'verifier': must be true/],
      ['program missing', { program: join(__dirname, 'fixtures', 'nope.pgasm') }, /^'program': file not found: .*nope\.pgasm$/],
      ['program kind', { program: join(__dirname, 'harness.ts') }, /^'program': must be a \.pgasm file/],
      ['program with driver', { program: PROGRAM, driver: join(__dirname, 'fixtures', 'drivers', 'throws.ts') }, /^'program': runs a \.pgasm program on its own and cannot be combined with 'driver'/],
      ['scenario kind', { scenario: PROGRAM }, /^'scenario': must be a \.json file/],
      ['variables', { program: '${file}' }, /^'program': contains an unresolved variable/],
    ];
    for (const [name, args, expected] of cases) {
      it(`refuses a bad '${name}' with an error naming the attribute`, async () => {
        const r = (await dc.request('launch', args)) as DebugProtocol.ErrorResponse;
        assert.equal(r.success, false);
        assert.match(r.message ?? "", expected);
        assert.equal(r.body.error?.showUser, true);
      });
    }

    it('refuses a program that does not assemble, with the diagnostics', async () => {
      const { writeFileSync } = await import('node:fs');
      const file = join(tempDir('pgasm-'), 'bad.pgasm');
      writeFileSync(file, 'nop\ncopyy vram:0, vram:0x1000, 16\n');
      const r = (await dc.request('launch', { program: file })) as DebugProtocol.ErrorResponse;
      assert.equal(r.success, false);
      assert.match(r.message ?? "", /^'program': bad\.pgasm has 1 assembly error; fix it first:\n {2}bad\.pgasm:2:1 PGA\d+ /);
      assert.ok(dc.alive);
    });
  });

  describe('malformed and out-of-order requests', () => {
    // A small seeded generator (mulberry32), so a failure replays exactly.
    function rng(seed: number): () => number {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
    const COMMANDS = [
      'initialize', 'launch', 'configurationDone', 'setBreakpoints', 'setFunctionBreakpoints', 'setExceptionBreakpoints',
      'setInstructionBreakpoints', 'breakpointLocations', 'threads', 'stackTrace', 'scopes', 'variables', 'setVariable',
      'continue', 'next', 'stepIn', 'stepOut', 'pause', 'evaluate', 'completions', 'readMemory', 'writeMemory',
      'disassemble', 'exceptionInfo', 'source', 'goto', 'stepBack', 'pagingLab.adapterState', 'nonsense', '',
    ];
    const FIELDS = ['threadId', 'frameId', 'variablesReference', 'memoryReference', 'count', 'offset', 'instructionOffset', 'instructionCount',
      'expression', 'text', 'column', 'name', 'value', 'data', 'breakpoints', 'filters', 'source', 'line', 'program', 'seed', 'context', 'start', 'levels'];

    function junk(r: () => number, depth = 0): unknown {
      const k = Math.floor(r() * 12);
      switch (k) {
        case 0: return Math.floor(r() * 2 ** 31) - 2 ** 30;
        case 1: return [0, 1, 100, 101, 1025, -1, 2 ** 53, NaN][Math.floor(r() * 8)];
        case 2: return ['0x0', '0x10000', '0x10000000000', 'zz', '', '!segments', '!pgasm start', 'pc', '1 +', '0xffffffffffffffffff', 'AAAA', '\u0000'][Math.floor(r() * 12)];
        case 3: return r() < 0.5;
        case 4: return null;
        case 5: return depth < 2 ? [junk(r, depth + 1), junk(r, depth + 1)] : [];
        case 6: return depth < 2 ? { line: junk(r, depth + 1), name: junk(r, depth + 1), instructionReference: junk(r, depth + 1), path: PROGRAM } : {};
        case 7: return { path: PROGRAM };
        case 8: return PROGRAM;
        default: return Math.floor(r() * 300);
      }
    }

    it('never answers with a request_seq below 1: a request without a usable seq is reported as output', async () => {
      const dc = new RawAdapter();
      try {
        dc.send({ type: 'request', command: 'threads' });
        dc.send({ seq: 0, type: 'request', command: 'threads' });
        dc.send({ seq: 'x', type: 'request', command: 'threads' });
        dc.send({ seq: 7, type: 'request', command: 5 });
        dc.send({ seq: 8, type: 'request', command: 'threads' });
        const deadline = Date.now() + 10000;
        while (Date.now() < deadline && !dc.messages.some((m) => m.request_seq === 8)) await new Promise((res) => setTimeout(res, 20));
        const responses = dc.messages.filter((m) => m.type === 'response');
        assert.deepEqual(responses.map((m) => m.request_seq), [7, 8]);
        assert.match(String((responses[0] as { message?: string }).message), /a request needs a string 'command'/);
        const ignored = dc.messages.filter((m) => m.event === 'output').map((m) => (m.body as { output: string }).output);
        assert.equal(ignored.length, 3);
        assert.match(ignored[0], /Ignored a request 'threads': a request needs a 'seq' that is an integer from 1, got nothing/);
        assert.deepEqual(dc.violations, []);
      } finally {
        dc.close();
      }
    });

    it('answers 3000 generated requests (seed 7), each exactly once, and stays alive', async function () {
      this.timeout(120000);
      const dc = new RawAdapter();
      const r = rng(7);
      const sent: number[] = [];
      const commandOf = new Map<number, string>();
      let seq = 100000;
      const write = (msg: unknown): void => {
        dc.send(msg);
      };
      for (let i = 0; i < 3000; i++) {
        // Sometimes a proper session start, so later requests reach a live target.
        if (i === 50 || i === 1500) {
          write({ seq: ++seq, type: 'request', command: 'initialize', arguments: { adapterID: 'wddm', pathFormat: 'path' } });
          sent.push(seq);
          write({ seq: ++seq, type: 'request', command: 'launch', arguments: { program: PROGRAM, stopOnEntry: true } });
          sent.push(seq);
          write({ seq: ++seq, type: 'request', command: 'configurationDone' });
          sent.push(seq);
          continue;
        }
        const command = COMMANDS[Math.floor(r() * COMMANDS.length)];
        const shape = r();
        let args: unknown;
        if (shape < 0.1) args = junk(r);
        else if (shape < 0.2) args = undefined;
        else {
          const o: Record<string, unknown> = {};
          const n = Math.floor(r() * 4);
          for (let j = 0; j < n; j++) o[FIELDS[Math.floor(r() * FIELDS.length)]] = junk(r);
          args = o;
        }
        // Large reads are valid requests, not malformed ones, and only slow the client down: keep them small.
        if (command === 'readMemory' && args && typeof args === 'object' && typeof (args as { count?: unknown }).count === 'number') {
          (args as { count: number }).count %= 65536;
        }
        const msg: Record<string, unknown> = { seq: ++seq, type: 'request', command };
        if (args !== undefined) msg.arguments = args;
        write(msg);
        sent.push(seq);
        commandOf.set(seq, `${command} ${JSON.stringify(args)}`);
        if (i % 200 === 0) await new Promise((res) => setTimeout(res, 10));
      }
      // Garbage framing and non-request messages are survived too (they get no response).
      dc.writeRaw('Content-Length: 5\r\n\r\n{oops');
      write({ seq: ++seq, type: 'request', command: 'threads' });
      sent.push(seq);
      write({ type: 'request', command: 5 });
      write([1, 2, 3]);
      const last = ++seq;
      write({ seq: last, type: 'request', command: 'threads' });
      sent.push(last);
      const deadline = Date.now() + 90000;
      const answered = (): Map<number, number> => {
        const m = new Map<number, number>();
        for (const msg of dc.messages) {
          if (msg.type === 'response' && typeof msg.request_seq === 'number') m.set(msg.request_seq, (m.get(msg.request_seq) ?? 0) + 1);
        }
        return m;
      };
      // Requests that reach the simulator (a 16 MiB read, a launch that compiles the reference driver) answer later.
      while (Date.now() < deadline && sent.some((s) => !answered().has(s))) await new Promise((res) => setTimeout(res, 100));
      await new Promise((res) => setTimeout(res, 300));
      const counts = answered();
      const missing = sent.filter((s) => !counts.has(s));
      const twice = sent.filter((s) => (counts.get(s) ?? 0) > 1);
      assert.equal(dc.ended, undefined, `the adapter process ended: ${dc.stderr.join('').slice(0, 2000)}`);
      assert.deepEqual(missing.map((s) => commandOf.get(s) ?? s).slice(0, 20), [], `every request is answered (${missing.length} were not)`);
      assert.deepEqual(twice, [], 'no request is answered twice');
      const failures = dc.messages.filter((m) => m.type === 'response' && m.success === false).length;
      assert.ok(failures > 2000, `most generated requests are errors (${failures})`);
      assert.ok(dc.alive, 'the adapter process is alive');
      assert.equal(dc.stderr.join(''), '', 'nothing escaped to stderr');
      const violations = dc.violations.slice();
      dc.close();
      assert.deepEqual(violations.slice(0, 5), [], `${violations.length} messages failed the schema`);
    });
  });
});
