// The expression language of breakpoint conditions, watch and hover: what it computes, how enums and
// statuses compare by name, and that it refuses what it must (calls, unknown names, bad syntax).

import assert from 'node:assert/strict';
import { compile, evaluate, ExpressionError, named } from '../../src/debugger/expression';
import { check, makeRule } from '../../src/debugger/breakpoints';

const args = {
  Operation: named(0, 'Transfer', 'DXGK_OPERATION_TRANSFER'),
  Transfer: { TransferSize: 0x40000, Flags: { TransferStart: true, TransferEnd: false }, Source: { SegmentId: 0 } },
  DmaSize: 256,
  Big: 2n ** 60n,
  List: [1, 2, 3],
};

describe('debugger expressions', () => {
  it('evaluates the issue example against decoded DDI arguments', () => {
    assert.equal(evaluate('Operation == "Transfer" && Transfer.TransferSize > 0x10000', args), true);
    assert.equal(evaluate('Operation == "Fill"', args), false);
    assert.equal(evaluate('Operation == 0 && Operation == "dxgk_operation_transfer"', args), true);
    assert.equal(evaluate('Operation != "Transfer"', args), false);
  });

  it('has arithmetic, bitwise, comparison, logic, ternary, members and indexing', () => {
    assert.equal(evaluate('DmaSize * 2 + 1', args), 513);
    assert.equal(evaluate('(DmaSize | 0xf) & ~1', args), 0x10e);
    assert.equal(evaluate('1 << 4 >> 2', args), 4);
    assert.equal(evaluate('Transfer.Flags.TransferStart ? "start" : "middle"', args), 'start');
    assert.equal(evaluate('List[2] - List[0]', args), 2);
    assert.equal(evaluate('Transfer["TransferSize"] % 0x1000', args), 0);
    assert.equal(evaluate('!Transfer.Flags.TransferEnd', args), true);
    assert.equal(evaluate('"a" + 1', args), 'a1');
    assert.equal(evaluate('Big + 1', args), 2n ** 60n + 1n);
    assert.equal(evaluate('Big >> 40', args), 1048576);
    assert.equal(evaluate('Big > DmaSize', args), true);
    assert.equal(evaluate('0xffff_ffff_ffff_ffff', args), 0xffff_ffff_ffff_ffffn);
    assert.equal(evaluate('null ?? 5', args), 5);
  });

  it('refuses calls, unknown names and fields, and bad syntax, saying where', () => {
    assert.throws(() => evaluate('constructor.constructor("x")()', args), ExpressionError);
    assert.throws(() => evaluate('process.exit', args), /unknown name 'process'/);
    assert.throws(() => evaluate('Transfer.Nope', args), /no field 'Nope' \(fields: TransferSize, Flags, Source\)/);
    assert.throws(() => evaluate('Transfer.__proto__', args), /no field '__proto__'/);
    assert.throws(() => compile('1 +'), /unexpected end of expression/);
    assert.throws(() => compile('a = 1'), /unexpected '=' at column 3/);
    assert.throws(() => evaluate('1 / 0', args), /division by zero/);
    assert.throws(() => evaluate('List[7]', args), /index 7 is outside 0\.\.2/);
    assert.throws(() => evaluate('Transfer < 3', args), /needs numbers or strings/);
    assert.throws(() => compile('DmaSize('), /function calls are not supported/);
  });

  it('breakpoint rules: condition, hit count and log message', () => {
    const hits = makeRule({ id: 1, hitCondition: '>= 3' });
    assert.deepEqual([1, 2, 3, 4].map(() => check(hits, args).stop), [false, false, true, true]);
    const every = makeRule({ id: 2, hitCondition: '% 2' });
    assert.deepEqual([1, 2, 3, 4].map(() => check(every, args).stop), [false, true, false, true]);
    const log = makeRule({ id: 3, logMessage: 'size {Transfer.TransferSize} op {Operation}' });
    assert.deepEqual(check(log, args), { stop: false, log: 'size 0x40000 op Transfer (0x0)' });
    const cond = makeRule({ id: 4, condition: 'DmaSize > 1000' });
    assert.equal(check(cond, args).stop, false);
    assert.equal(cond.hits, 0, 'a false condition does not count as a hit');
    const broken = makeRule({ id: 5, condition: 'Nope > 1' });
    const r = check(broken, args);
    assert.equal(r.stop, true);
    assert.match((r as { error?: string }).error ?? '', /could not be evaluated: unknown name 'Nope'/);
    assert.throws(() => makeRule({ id: 6, hitCondition: 'often' }), /hit count: 'often' is not a count/);
  });
});
