// Reads a scenario: JSON syntax, then the JSON schema (ajv), then the checks a schema cannot say
// (allocations used before they are created, sizes that are not page multiples, the limits of
// limits.ts...). Every problem is reported with its JSON path, all at once, so the author can fix
// the file in one go. The steps are not expanded here: `repeat` and `generate` are checked without
// unrolling them (a repeat's body is checked for its first pass and for the state that pass
// leaves), and the run pulls the steps one at a time from `scenario.steps` (steps.ts).

import type { ErrorObject } from 'ajv';
import { PRIORITY_LEVELS } from '../ddi/priorities';
import { defaultGpuConfig } from '../hw/config';
import { generateSteps, type GenerateOptions } from './generate';
import { formatLimit, SCENARIO_LIMITS as LIMITS } from './limits';
import { Steps } from './steps';
import type { Scenario, ScenarioFile, Size, Step, WorkloadStep } from './types';
import { expandPathStep } from './pathSteps';
// The schema's validator as code, generated from schemas/scenario.schema.json at development time
// by scripts/gen-validators.ts (compiling the schema at run time cost every process 60-66 ms on its
// first scenario).
import validator from './scenarioValidator.generated';


export interface ScenarioProblem {
  /** JSON pointer of the offending value, e.g. `/workload/3/size`. */
  path: string;
  message: string;
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(`${source}: invalid scenario:\n${problems.map((p) => `  ${p.path || '/'}: ${p.message}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

const PAGE = 4096;
const UNITS: Record<string, number> = { B: 1, K: 1024, KB: 1024, KIB: 1024, M: 1024 ** 2, MB: 1024 ** 2, MIB: 1024 ** 2, G: 1024 ** 3, GB: 1024 ** 3, GIB: 1024 ** 3, T: 1024 ** 4, TB: 1024 ** 4, TIB: 1024 ** 4 };

/** Parses a Size ("64KiB", "0x1000", 4096); NaN if it is not one. */
export function parseSize(v: Size): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : NaN;
  const s = v.trim();
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) return parseInt(s, 16);
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$/.exec(s);
  if (!m) return NaN;
  const unit = UNITS[(m[2] || 'B').toUpperCase()];
  if (!unit) return NaN;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) ? n : Math.round(n);
}

function schemaProblems(data: unknown): ScenarioProblem[] {
  if (validator(data)) return [];
  const errors = (validator.errors ?? []) as ErrorObject[];
  const out: ScenarioProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // `if`/`then` wrappers and the alternatives of a `oneOf` repeat what the specific error says.
    if (e.keyword === 'if') continue;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') message = `unknown member '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    if (e.keyword === 'enum') message += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    if (e.keyword === 'maximum') message += ', the largest the simulator supports (schemas/scenario.schema.json)';
    if (e.keyword === 'oneOf' || (e.schemaPath.includes('/definitions/size/') && e.keyword !== 'oneOf')) {
      if (!e.schemaPath.includes('/definitions/size/')) continue;
      message = 'must be a byte count: a non-negative integer or a string such as "64KiB", "8MiB", "0x1000"';
    }
    const key = `${e.instancePath}\0${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: e.instancePath || '/', message });
  }
  return out;
}

/** Parses, validates and normalizes scenario text. Throws ScenarioError listing every problem. */
export function parseScenario(text: string, source = '<scenario>', seedOverride?: number): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(source, [{ path: '/', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return normalizeScenario(data, source, seedOverride);
}

/** The first `repeat` nested deeper than the limit, found without recursion (the schema validator recurses per level). */
function tooDeep(data: unknown): ScenarioProblem | undefined {
  const workload = (data as { workload?: unknown } | null)?.workload;
  const todo: { list: unknown; path: string; depth: number }[] = [{ list: workload, path: '/workload', depth: 0 }];
  while (todo.length) {
    const { list, path, depth } = todo.pop()!;
    if (!Array.isArray(list)) continue;
    list.forEach((item: unknown, i) => {
      const r = item as { op?: unknown; steps?: unknown } | null;
      if (!r || r.op !== 'repeat' || !Array.isArray(r.steps)) return;
      todo.push({ list: r.steps, path: `${path}/${i}/steps`, depth: depth + 1 });
    });
    if (depth > LIMITS.repeatDepth) {
      const at = path.replace(/\/steps$/, '');
      return { path: at, message: `repeats nested ${depth} deep here; a workload may nest repeats at most ${LIMITS.repeatDepth} deep` };
    }
  }
  return undefined;
}

interface StepHelpers {
  size(v: Size | undefined, path: string, fallback: number, opts?: { page?: boolean; min?: number; max?: number; what?: string }): number;
  problem(path: string, message: string): void;
  /** The allocation must exist here (checking only). */
  known(id: string, path: string): void;
  created(id: string, path: string): void;
  destroyed(id: string): void;
}

/** One workload step (not a repeat) in its normalized form; `index` is its place in the run. */
function normalizeStep(s: Exclude<WorkloadStep, { op: 'repeat' }>, path: string, index: number, h: StepHelpers): Step {
  switch (s.op) {
    case 'create':
      h.created(s.id, `${path}/id`);
      return {
        op: 'create',
        path,
        id: s.id,
        size: h.size(s.size, `${path}/size`, 0, { min: 1, max: LIMITS.allocationBytes, what: 'allocation' }),
        alignment: h.size(s.alignment, `${path}/alignment`, PAGE, { min: 1, max: LIMITS.segmentBytes, what: 'alignment' }),
        cpuVisible: s.cpuVisible ?? false,
        fill: s.fill ?? 0,
        privateData: s.privateData ?? {},
      };
    case 'destroy':
      h.known(s.id, `${path}/id`);
      h.destroyed(s.id);
      return { op: 'destroy', path, id: s.id };
    case 'lock':
    case 'unlock':
      h.known(s.id, `${path}/id`);
      if (s.op === 'unlock') return { op: s.op, path, id: s.id };
      return { op: s.op, path, id: s.id, ...(s.mode ? { mode: s.mode } : {}), ...(s.privateDriverData !== undefined ? { privateDriverData: s.privateDriverData } : {}) };
    case 'write':
      h.known(s.id, `${path}/id`);
      return {
        op: 'write',
        path,
        id: s.id,
        offset: h.size(s.offset, `${path}/offset`, 0),
        length: s.length === undefined ? undefined : h.size(s.length, `${path}/length`, 0, { min: 1 }),
        seed: s.seed ?? index + 1,
      };
    case 'render':
      s.allocations.forEach((id, j) => h.known(id, `${path}/allocations/${j}`));
      (s.write ?? []).forEach((id, j) => {
        if (!s.allocations.includes(id)) h.problem(`${path}/write/${j}`, `'${id}' is written but not in the allocation list`);
      });
      return { op: 'render', path, allocations: [...new Set(s.allocations)], write: [...new Set(s.write ?? [])] };
    case 'pressure':
      return { op: 'pressure', path, bytes: h.size(s.bytes, `${path}/bytes`, 0) };
    case 'set-priority':
      h.known(s.id, `${path}/id`);
      return { op: 'set-priority', path, id: s.id, priority: typeof s.priority === 'number' ? s.priority >>> 0 : PRIORITY_LEVELS[s.priority] };
    case 'wait':
      return { op: 'wait', path, ns: s.ns };
    case 'verify':
      (s.ids ?? []).forEach((id, j) => h.known(id, `${path}/ids/${j}`));
      return { op: 'verify', path, ids: s.ids };
    default:
      return expandPathStep(s, path, h);
  }
}

export function normalizeScenario(data: unknown, source = '<scenario>', seedOverride?: number): Scenario {
  const deep = tooDeep(data);
  if (deep) throw new ScenarioError(source, [deep]);
  const problems = schemaProblems(data);
  if (problems.length) throw new ScenarioError(source, problems);
  const file = data as ScenarioFile;
  const seen = new Set<string>();
  const problem = (path: string, message: string): void => {
    const key = `${path}\0${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ path, message });
  };
  const size: StepHelpers['size'] = (v, path, fallback, opts = {}) => {
    if (v === undefined) return fallback;
    const n = parseSize(v);
    const over = opts.max !== undefined && (n > opts.max || (Number.isNaN(n) && typeof v === 'number' && v > opts.max));
    if (over) problem(path, `${typeof v === 'number' ? v : `'${v}'`} is more than the largest ${opts.what ?? 'size'} the simulator supports, ${formatLimit(opts.max!, true)}`);
    else if (Number.isNaN(n)) problem(path, `'${v}' is not a byte count`);
    else if (opts.page && n % PAGE !== 0) problem(path, `${n} bytes is not a multiple of 4 KiB`);
    else if (opts.min !== undefined && n < opts.min) problem(path, `must be at least ${opts.min} bytes`);
    return n;
  };

  const defaults = defaultGpuConfig();
  const seed = seedOverride ?? file.seed ?? 1;
  const a = file.adapter ?? {};
  const segments = (a.segments ?? defaults.segments.map((s) => ({ name: s.name, kind: s.kind, size: s.size, cpuVisible: s.cpuVisible }))).map(
    (s, i) => ({
      name: s.name,
      kind: s.kind,
      size: size(s.size, `/adapter/segments/${i}/size`, 0, { page: true, min: PAGE, max: LIMITS.segmentBytes, what: `${s.kind} segment` }),
      cpuVisible: s.cpuVisible ?? false,
      ...('cacheCoherent' in s && s.cacheCoherent !== undefined ? { cacheCoherent: s.cacheCoherent } : {}),
      ...('banks' in s && s.banks !== undefined ? { banks: s.banks.map((b: Size, j: number) => size(b, `/adapter/segments/${i}/banks/${j}`, 0, { page: true, min: PAGE, max: LIMITS.segmentBytes, what: 'bank end' })) } : {}),
    }),
  );
  segments.forEach((s, i) => {
    // Banks are contiguous from offset 0; each end lies inside the segment, after the one before.
    s.banks?.forEach((end: number, j: number) => {
      const before = j === 0 ? 0 : s.banks![j - 1];
      if (Number.isFinite(end) && Number.isFinite(s.size) && (end <= before || end >= s.size)) {
        problem(`/adapter/segments/${i}/banks/${j}`, `bank ${j + 1} ends at ${end}: each end must come after the one before (${before}) and before the segment's end (${s.size}); the last bank ends at the segment's end and is not listed`);
      }
    });
  });
  if (!segments.some((s) => s.kind === 'memory')) problem('/adapter/segments', 'needs at least one memory segment');
  const vram = segments.filter((s) => s.kind === 'memory').reduce((t, s) => t + (Number.isFinite(s.size) ? s.size : 0), 0);
  if (vram > LIMITS.vramBytes) problem('/adapter/segments', `the memory segments add up to ${vram} bytes of VRAM, more than the simulator supports, ${formatLimit(LIMITS.vramBytes, true)}`);
  const names = new Set<string>();
  segments.forEach((s, i) => {
    if (names.has(s.name)) problem(`/adapter/segments/${i}/name`, `duplicate segment name '${s.name}'`);
    names.add(s.name);
  });
  const systemMemory = size(a.systemMemory, '/adapter/systemMemory', defaults.systemMemoryBytes, { page: true, min: 16 * PAGE, max: LIMITS.systemMemoryBytes, what: 'system memory' });
  const adapter: Scenario['adapter'] = {
    segments,
    systemMemory,
    commonBufferBudget: size(a.commonBufferBudget, '/adapter/commonBufferBudget', defaults.commonBufferBudget, {
      page: true,
      min: 16 * PAGE,
      max: Number.isFinite(systemMemory) ? systemMemory : LIMITS.systemMemoryBytes,
      what: 'common-buffer budget (the system memory)',
    }),
    engines: a.engines ?? defaults.engines,
    bandwidths: { ...defaults.bandwidths, ...(a.bandwidths ?? {}) },
    ...(a.sharedInterruptLine ? { sharedInterruptLine: true } : {}),
  };
  const k = file.kernel ?? {};
  const kernel: Scenario['kernel'] = {
    pagingBufferSize: k.pagingBufferSize === undefined ? undefined : size(k.pagingBufferSize, '/kernel/pagingBufferSize', 0, { min: 64, max: LIMITS.pagingBufferBytes, what: 'paging buffer' }),
    maxTransferSize: k.maxTransferSize === undefined ? undefined : size(k.maxTransferSize, '/kernel/maxTransferSize', 0, { page: true, min: PAGE }),
    pagingBuffers: k.pagingBuffers ?? 4,
  };

  // Check the workload as the run will see it, without unrolling it: a repeat's body for its first
  // pass and again for the allocations that pass leaves (every later pass starts from the same).
  const live = new Set<string>();
  const checking: StepHelpers = {
    size,
    problem,
    known: (id, p) => {
      if (!live.has(id)) problem(p, `allocation '${id}' does not exist here (create it first)`);
    },
    created: (id, p) => {
      if (live.has(id)) problem(p, `allocation '${id}' already exists`);
      live.add(id);
    },
    destroyed: (id) => void live.delete(id),
  };
  const passes = new Map<object, Map<string, string[]>>();
  const check = (list: WorkloadStep[], base: string): void => {
    list.forEach((s, i) => {
      const path = `${base}/${i}`;
      if (s.op !== 'repeat') {
        normalizeStep(s, path, 0, checking);
        return;
      }
      for (let pass = 0; pass < Math.min(2, s.times); pass++) {
        const before = [...live].sort().join('\0');
        const known = passes.get(s)?.get(before);
        if (known) {
          live.clear();
          for (const id of known) live.add(id);
          continue;
        }
        check(s.steps, `${path}/steps`);
        if (!passes.has(s)) passes.set(s, new Map());
        passes.get(s)!.set(before, [...live]);
      }
    });
  };
  const workload = file.workload ?? [];
  check(workload, '/workload');

  const counts = new Map<object, number>();
  const countOf = (list: WorkloadStep[]): number => {
    const c = counts.get(list);
    if (c !== undefined) return c;
    let n = 0;
    for (const s of list) n += s.op === 'repeat' ? s.times * countOf(s.steps) : 1;
    counts.set(list, n);
    return n;
  };
  let workloadSteps = 0;
  for (let i = 0; i < workload.length; i++) {
    const s = workload[i];
    workloadSteps += s.op === 'repeat' ? s.times * countOf(s.steps) : 1;
    if (workloadSteps > LIMITS.workloadSteps) {
      problem(
        s.op === 'repeat' ? `/workload/${i}/times` : '/workload',
        `the workload comes to ${workloadSteps > 1e15 ? 'more than 10^15' : workloadSteps.toLocaleString('en-US')} steps here once its repeats are expanded; a workload may have at most ${formatLimit(LIMITS.workloadSteps, false)} steps (schemas/scenario.schema.json)`,
      );
      break;
    }
  }

  let generated: GenerateOptions | undefined;
  if (file.generate) {
    const g = file.generate;
    generated = {
      seed: g.seed ?? seed,
      allocations: g.allocations,
      steps: g.steps,
      minSize: size(g.minSize, '/generate/minSize', PAGE, { min: 1, max: LIMITS.allocationBytes, what: 'allocation' }),
      maxSize: size(g.maxSize, '/generate/maxSize', 64 * 1024, { min: 1, max: LIMITS.allocationBytes, what: 'allocation' }),
      allocationsPerRender: g.allocationsPerRender ?? 4,
      weights: g.weights ?? {},
      verify: g.verify ?? true,
      existing: [...live],
      segments: adapter.segments,
    };
  }
  if (problems.length) throw new ScenarioError(source, problems);

  // The run's steps, made as they are pulled. Steps of the file were checked above; generated ones
  // are valid by construction, so a problem here is the simulator's own.
  const running: StepHelpers = {
    size,
    problem: (path, message) => {
      throw new Error(`scenario step ${path}: ${message}`);
    },
    known: () => undefined,
    created: () => undefined,
    destroyed: () => undefined,
  };
  const gen = generated;
  function* stream(): Generator<Step> {
    const at = { index: 0 };
    function* unroll(list: WorkloadStep[], base: string): Generator<Step> {
      for (let i = 0; i < list.length; i++) {
        const s = list[i];
        const path = `${base}/${i}`;
        if (s.op === 'repeat') {
          for (let t = 0; t < s.times; t++) yield* unroll(s.steps, `${path}/steps`);
        } else yield normalizeStep(s, path, at.index++, running);
      }
    }
    yield* unroll(workload, '/workload');
    if (gen) {
      let n = 0;
      for (const s of generateSteps(gen)) yield normalizeStep(s as Exclude<WorkloadStep, { op: 'repeat' }>, `/generate/${n++}`, at.index++, running);
    }
  }
  const count = (): number => {
    let n = workloadSteps;
    if (gen) for (const _ of generateSteps(gen)) n++;
    return n;
  };
  return {
    name: file.name ?? source,
    description: file.description ?? '',
    source,
    seed,
    adapter,
    kernel,
    steps: new Steps(stream, gen ? count : workloadSteps),
    ...(file.verifier !== undefined ? { verifier: file.verifier } : {}),
    ...(file.tdrDelayMs !== undefined ? { tdrDelayMs: file.tdrDelayMs } : {}),
  };
}
