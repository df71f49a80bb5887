import assert from 'node:assert/strict';
import { inspect } from '../../media/src/dataInspector';

const get = (rows: ReturnType<typeof inspect>, t: string) => rows.find((r) => r.type === t)!;

describe('VRAM view data inspector', () => {
  it('decodes integers little and big endian', () => {
    const bytes = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x88];
    const le = inspect(bytes, true);
    assert.equal(get(le, 'u8').value, '1');
    assert.equal(get(le, 'u16').value, String(0x0201));
    assert.equal(get(le, 'u32').value, String(0x04030201));
    assert.equal(get(le, 'u64').hex, '0x8807060504030201');
    assert.equal(get(le, 'u64').value, (0x8807060504030201n).toString());
    assert.equal(get(le, 'i64').value, (0x8807060504030201n - (1n << 64n)).toString());
    const be = inspect(bytes, false);
    assert.equal(get(be, 'u16').value, String(0x0102));
    assert.equal(get(be, 'u32').hex, '0x01020304');
    assert.equal(get(be, 'u64').hex, '0x0102030405060788');
  });

  it('shows signed values and their two\'s complement bits', () => {
    const rows = inspect([0xff, 0xff, 0xff, 0xff], true);
    assert.equal(get(rows, 'i8').value, '-1');
    assert.equal(get(rows, 'i8').hex, '0xff');
    assert.equal(get(rows, 'i16').value, '-1');
    assert.equal(get(rows, 'i32').value, '-1');
    assert.equal(get(rows, 'u32').value, '4294967295');
  });

  it('decodes floats', () => {
    const f32 = new Uint8Array(new Float32Array([1.5]).buffer);
    assert.equal(get(inspect([...f32], true), 'f32').value, '1.5');
    const f64 = new Uint8Array(new Float64Array([-2.25]).buffer);
    assert.equal(get(inspect([...f64], true), 'f64').value, '-2.25');
    assert.equal(get(inspect([...f64].reverse(), false), 'f64').value, '-2.25');
    assert.equal(get(inspect([0, 0, 0xc0, 0x7f], true), 'f32').value, 'NaN');
    assert.equal(get(inspect([0, 0, 0x80, 0xff], true), 'f32').value, '-Infinity');
  });

  it('leaves types empty when too few bytes are readable', () => {
    const rows = inspect([0x10, 0x20, null, 0x40], true);
    assert.equal(get(rows, 'u16').value, '8208');
    assert.equal(get(rows, 'u32').value, undefined);
    assert.equal(get(rows, 'f64').value, undefined);
    const short = inspect([7], true);
    assert.equal(get(short, 'u8').value, '7');
    assert.equal(get(short, 'u16').value, undefined);
  });
});
