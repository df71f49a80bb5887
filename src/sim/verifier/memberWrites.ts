// Which driver line wrote a member of an argument object during one DDI call. For the length of the
// call each watched member is an accessor of the kernel's own (the sandbox's argument-shape check
// knows the kernel's accessors from the driver's): a write that changes the value records the
// driver line running then, the first time; at the return every member is a plain value again, with
// what the driver left in it. A line is only known at the moment of the write, hence the accessors;
// they cost a function call per access while the call runs and nothing after it.

import type { SourceLocation } from '../driver/errors';

/** Where a write was made: a line, or a function that gives it when asked (RuleContext.hereLater). */
type Where = SourceLocation | (() => SourceLocation | undefined) | undefined;

/** Members that stand for something else (handles, an MDL): watched as values, never entered. */
const BY_REFERENCE = /^h[A-Z]|^pMdl$|^pDmaBuffer$/;
/** Shapes of inputs kept per path; past it they are made again (a driver that adds members to the inputs at every call). */
const MAX_SHAPES = 16;

export class MemberWrites {
  private readonly restores: (() => void)[] = [];
  private readonly lines = new Map<string, { seq: number; at: Where }>();
  private seq = 0;

  /**
   * @param keep which write of a member to remember: the first that changed it, or the last.
   * @param only the members (`path.member`) a rule may ask about; the others are left plain. A line
   *   costs a stack taken at the write, so a call that fills many members pays only for those.
   */
  constructor(
    private readonly here: () => Where,
    private readonly keep: 'first' | 'last' = 'first',
    private readonly only?: RegExp,
  ) {}

  /** Watches the data members of `obj` (all, or `keys`), and of the plain objects in them down to `depth` levels, as `path.member`. */
  watch(obj: unknown, path: string, keys?: readonly string[], depth = 1): void {
    if (!isPlain(obj)) return;
    for (const key of keys ?? Object.keys(obj)) {
      const d = Object.getOwnPropertyDescriptor(obj, key);
      if (!d || !('value' in d) || !d.writable || !d.configurable) continue;
      const member = path ? `${path}.${key}` : key;
      if (isPlain(d.value) && !BY_REFERENCE.test(key)) {
        if (depth > 0) this.watch(d.value, member, undefined, depth - 1);
        continue;
      }
      if (this.only && !this.only.test(member)) continue;
      const original = d.value as unknown;
      let value = original;
      const lines = this.lines;
      const here = this.here;
      Object.defineProperty(obj, key, {
        get: () => value,
        set: (v: unknown) => {
          const before = value;
          value = v;
          // Keeping the last: a write that puts the value back as it was given is the one that
          // left it there (a driver resetting what a helper it called had set).
          const counts = this.keep === 'last' ? !Object.is(v, original) || !Object.is(v, before) : !Object.is(v, original) && !lines.has(member);
          if (counts) lines.set(member, { seq: this.seq++, at: here() });
        },
        enumerable: d.enumerable,
        configurable: true,
      });
      this.restores.push(() => Object.defineProperty(obj, key, { value, writable: true, enumerable: d.enumerable, configurable: true }));
    }
  }

  /** Notes a write that changed `member`, at the driver line running now (the first one only). */
  wrote(member: string): void {
    if (this.keep === 'last' || !this.lines.has(member)) this.lines.set(member, { seq: this.seq++, at: this.here() });
  }

  /** Plain members again, holding what the driver left. */
  restore(): void {
    for (const r of this.restores.splice(0)) r();
  }

  /** The driver line of the earliest write that changed one of `members` (the latest, when keeping the last), if one was seen. */
  lineOf(members: readonly string[] | RegExp): SourceLocation | undefined {
    let found: { seq: number; at: SourceLocation } | undefined;
    for (const [m, l] of this.lines) {
      if (!(Array.isArray(members) ? members.includes(m) : (members as RegExp).test(m))) continue;
      if (found && (this.keep === 'last' ? l.seq < found.seq : l.seq > found.seq)) continue;
      const at = typeof l.at === 'function' ? l.at() : l.at;
      if (at) found = { seq: l.seq, at };
    }
    return found?.at;
  }
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A stand-in for a plain object of the kernel's (an operation's inputs) that the driver gets for one
 * call: the same members, enumerable, as accessors that record the driver line of the first write
 * changing each one (`MemberWrites.wrote`). Defining accessors costs tens of microseconds an object,
 * more than the call itself, so one stand-in per shape is made once and handed again, bound to the
 * inputs of each call (calls of DxgkDdiBuildPagingBuffer never overlap). `readBack` puts what the
 * driver left into the kernel's object.
 */
export class InputsView {
  readonly object: Record<string, unknown> = {};
  private readonly values: unknown[];
  private readonly nested: (InputsView | undefined)[];
  /** Members passed by reference (handles, MDLs, the DMA buffer): never stood in for. */
  private readonly byReference: boolean[];
  private original: Record<string, unknown> = {};
  private writes: MemberWrites | undefined;

  private constructor(
    private readonly keys: string[],
    private readonly path: string,
    nested: (InputsView | undefined)[],
  ) {
    this.values = keys.map(() => undefined);
    this.nested = nested;
    this.byReference = keys.map((k) => BY_REFERENCE.test(k));
    keys.forEach((k, i) => {
      Object.defineProperty(this.object, k, {
        get: () => this.values[i],
        set: (v: unknown) => {
          if (!Object.is(v, this.values[i])) this.writes?.wrote(`${this.path}.${k}`);
          this.values[i] = v;
        },
        enumerable: true,
        configurable: true,
      });
    });
  }

  /** Stand-ins made, by path: one per shape of the inputs at that path (a handful). */
  private static readonly made = new Map<string, InputsView[]>();

  /** The stand-in for `original` (members of plain objects down to `depth` levels stand in too), bound to it for one call. */
  static for(original: Record<string, unknown>, path: string, writes: MemberWrites, depth: number): InputsView {
    let views = InputsView.made.get(path);
    if (!views) InputsView.made.set(path, (views = []));
    // Found by walking the inputs against each stand-in's members, not by a key string of their
    // names built at every call (a tenth of what the verifier cost a run).
    let view: InputsView | undefined;
    for (let i = 0; i < views.length && !view; i++) if (views[i].fits(original, depth)) view = views[i];
    if (!view) {
      if (views.length >= MAX_SHAPES) views.length = 0;
      view = InputsView.make(original, path, depth);
      views.push(view);
    }
    view.bind(original, writes);
    return view;
  }

  /** Whether `o` has this stand-in's shape: the same member names in the same order, plain objects (down to `depth`) where it has stand-ins of its own. */
  private fits(o: Record<string, unknown>, depth: number): boolean {
    let i = 0;
    for (const k in o) {
      if (i >= this.keys.length || k !== this.keys[i]) return false;
      const v = o[k];
      const n = this.nested[i];
      const plain = depth > 0 && !this.byReference[i] && isPlain(v);
      if (n ? !plain || !n.fits(v as Record<string, unknown>, depth - 1) : plain) return false;
      i++;
    }
    return i === this.keys.length;
  }

  private static make(original: Record<string, unknown>, path: string, depth: number): InputsView {
    const keys = Object.keys(original);
    const nested = keys.map((k) => (depth > 0 && isPlain(original[k]) && !BY_REFERENCE.test(k) ? InputsView.make(original[k] as Record<string, unknown>, `${path}.${k}`, depth - 1) : undefined));
    return new InputsView(keys, path, nested);
  }

  private bind(original: Record<string, unknown>, writes: MemberWrites): void {
    this.original = original;
    this.writes = writes;
    for (let i = 0; i < this.keys.length; i++) {
      const n = this.nested[i];
      const v = original[this.keys[i]];
      if (n) {
        n.bind(v as Record<string, unknown>, writes);
        this.values[i] = n.object;
      } else this.values[i] = v;
    }
  }

  /** What the driver left, into the kernel's object (a member it replaced by another object is replaced there too); the stand-in then records nothing. */
  readBack(): void {
    for (let i = 0; i < this.keys.length; i++) {
      const n = this.nested[i];
      const v = this.values[i];
      if (n && v === n.object) n.readBack();
      else if (!Object.is(this.original[this.keys[i]], v)) this.original[this.keys[i]] = v;
    }
    this.writes = undefined;
  }
}
