// The VRAM view's data inspector: the bytes at the cursor read as integers and floats of every
// width, in the chosen byte order. Pure (no DOM), so it runs under plain mocha.

export type InspectorType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'f32' | 'f64';

export const INSPECTOR_TYPES: readonly { type: InspectorType; size: number }[] = [
  { type: 'u8', size: 1 },
  { type: 'i8', size: 1 },
  { type: 'u16', size: 2 },
  { type: 'i16', size: 2 },
  { type: 'u32', size: 4 },
  { type: 'i32', size: 4 },
  { type: 'u64', size: 8 },
  { type: 'i64', size: 8 },
  { type: 'f32', size: 4 },
  { type: 'f64', size: 8 },
];

export interface InspectorRow {
  type: InspectorType;
  /** The decoded value as text, or undefined when fewer bytes than needed are readable. */
  value?: string;
  /** Hex of the same value for the integer types. */
  hex?: string;
}

/**
 * Decodes `bytes` (the readable bytes from the cursor on, up to 8) as each inspector type.
 * A `null` entry in `bytes` is an unreadable byte: types that would need it show no value.
 */
export function inspect(bytes: ArrayLike<number | null>, littleEndian: boolean): InspectorRow[] {
  let readable = 0;
  while (readable < Math.min(8, bytes.length) && bytes[readable] !== null) readable++;
  const buf = new Uint8Array(8);
  for (let i = 0; i < readable; i++) buf[i] = bytes[i] as number;
  const dv = new DataView(buf.buffer);
  return INSPECTOR_TYPES.map(({ type, size }) => {
    if (size > readable) return { type };
    switch (type) {
      case 'u8': return int(type, dv.getUint8(0), 2);
      case 'i8': return int(type, dv.getInt8(0), 2);
      case 'u16': return int(type, dv.getUint16(0, littleEndian), 4);
      case 'i16': return int(type, dv.getInt16(0, littleEndian), 4);
      case 'u32': return int(type, dv.getUint32(0, littleEndian), 8);
      case 'i32': return int(type, dv.getInt32(0, littleEndian), 8);
      case 'u64': return int(type, dv.getBigUint64(0, littleEndian), 16);
      case 'i64': return int(type, dv.getBigInt64(0, littleEndian), 16);
      case 'f32': return { type, value: formatFloat(dv.getFloat32(0, littleEndian)) };
      case 'f64': return { type, value: formatFloat(dv.getFloat64(0, littleEndian)) };
    }
  });
}

function int(type: InspectorType, v: number | bigint, digits: number): InspectorRow {
  // Hex of the bit pattern, so a negative value shows its two's complement as in the hex grid.
  const bits = BigInt.asUintN(digits * 4, BigInt(v));
  return { type, value: v.toString(), hex: '0x' + bits.toString(16).padStart(digits, '0') };
}

function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}
