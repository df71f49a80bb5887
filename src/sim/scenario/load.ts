// Reads a scenario: JSON syntax, then the JSON schema (ajv), then the checks a schema cannot say
// (allocations used before they are created, sizes that are not page multiples...). Every problem
// is reported with its JSON path, all at once, so the author can fix the file in one go.

import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../../schemas/scenario.schema.json';
import { defaultGpuConfig } from '../hw/config';
import { generateWorkload } from './generate';
import type { Scenario, ScenarioFile, Size, Step, WorkloadStep } from './types';
import { expandWdkStep } from './wdkSteps';

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
const UNITS: Record<string, number> = { B: 1, K: 1024, KB: 1024, KIB: 1024, M: 1024 ** 2, MB: 1024 ** 2, MIB: 1024 ** 2, G: 1024 ** 3, GB: 1024 ** 3, GIB: 1024 ** 3 };

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

let validator: ReturnType<Ajv['compile']> | undefined;

function schemaProblems(data: unknown): ScenarioProblem[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
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

export function normalizeScenario(data: unknown, source = '<scenario>', seedOverride?: number): Scenario {
  const problems = schemaProblems(data);
  if (problems.length) throw new ScenarioError(source, problems);
  const file = data as ScenarioFile;
  const size = (v: Size | undefined, path: string, fallback: number, opts: { page?: boolean; min?: number } = {}): number => {
    if (v === undefined) return fallback;
    const n = parseSize(v);
    if (Number.isNaN(n)) problems.push({ path, message: `'${v}' is not a byte count` });
    else if (opts.page && n % PAGE !== 0) problems.push({ path, message: `${n} bytes is not a multiple of 4 KiB` });
    else if (opts.min !== undefined && n < opts.min) problems.push({ path, message: `must be at least ${opts.min} bytes` });
    return n;
  };

  const defaults = defaultGpuConfig();
  const seed = seedOverride ?? file.seed ?? 1;
  const a = file.adapter ?? {};
  const segments = (a.segments ?? defaults.segments.map((s) => ({ name: s.name, kind: s.kind, size: s.size, cpuVisible: s.cpuVisible }))).map(
    (s, i) => ({
      name: s.name,
      kind: s.kind,
      size: size(s.size, `/adapter/segments/${i}/size`, 0, { page: true, min: PAGE }),
      cpuVisible: s.cpuVisible ?? false,
      ...('cacheCoherent' in s && s.cacheCoherent !== undefined ? { cacheCoherent: s.cacheCoherent } : {}),
    }),
  );
  if (!segments.some((s) => s.kind === 'memory')) problems.push({ path: '/adapter/segments', message: 'needs at least one memory segment' });
  const names = new Set<string>();
  segments.forEach((s, i) => {
    if (names.has(s.name)) problems.push({ path: `/adapter/segments/${i}/name`, message: `duplicate segment name '${s.name}'` });
    names.add(s.name);
  });
  const adapter: Scenario['adapter'] = {
    segments,
    systemMemory: size(a.systemMemory, '/adapter/systemMemory', defaults.systemMemoryBytes, { page: true, min: 16 * PAGE }),
    commonBufferBudget: size(a.commonBufferBudget, '/adapter/commonBufferBudget', defaults.commonBufferBudget, { page: true, min: 16 * PAGE }),
    engines: a.engines ?? defaults.engines,
    bandwidths: { ...defaults.bandwidths, ...(a.bandwidths ?? {}) },
  };
  const k = file.kernel ?? {};
  const kernel: Scenario['kernel'] = {
    pagingBufferSize: k.pagingBufferSize === undefined ? undefined : size(k.pagingBufferSize, '/kernel/pagingBufferSize', 0, { min: 64 }),
    maxTransferSize: k.maxTransferSize === undefined ? undefined : size(k.maxTransferSize, '/kernel/maxTransferSize', 0, { page: true, min: PAGE }),
    pagingBuffers: k.pagingBuffers ?? 4,
  };

  const steps: Step[] = [];
  const live = new Set<string>();
  const expand = (list: WorkloadStep[], base: string): void => {
    list.forEach((s, i) => {
      const path = `${base}/${i}`;
      const known = (id: string, p: string): void => {
        if (!live.has(id)) problems.push({ path: p, message: `allocation '${id}' does not exist here (create it first)` });
      };
      switch (s.op) {
        case 'create': {
          if (live.has(s.id)) problems.push({ path: `${path}/id`, message: `allocation '${s.id}' already exists` });
          live.add(s.id);
          const n = size(s.size, `${path}/size`, 0, { min: 1 });
          steps.push({
            op: 'create',
            path,
            id: s.id,
            size: n,
            alignment: size(s.alignment, `${path}/alignment`, PAGE, { min: 1 }),
            cpuVisible: s.cpuVisible ?? false,
            fill: s.fill ?? 0,
            privateData: s.privateData ?? {},
          });
          break;
        }
        case 'destroy':
          known(s.id, `${path}/id`);
          live.delete(s.id);
          steps.push({ op: 'destroy', path, id: s.id });
          break;
        case 'lock':
        case 'unlock':
          known(s.id, `${path}/id`);
          steps.push(s.op === 'lock' && s.mode ? { op: s.op, path, id: s.id, mode: s.mode } : { op: s.op, path, id: s.id });
          break;
        case 'write':
          known(s.id, `${path}/id`);
          steps.push({
            op: 'write',
            path,
            id: s.id,
            offset: size(s.offset, `${path}/offset`, 0),
            length: s.length === undefined ? undefined : size(s.length, `${path}/length`, 0, { min: 1 }),
            seed: s.seed ?? steps.length + 1,
          });
          break;
        case 'render':
          s.allocations.forEach((id, j) => known(id, `${path}/allocations/${j}`));
          (s.write ?? []).forEach((id, j) => {
            if (!s.allocations.includes(id)) problems.push({ path: `${path}/write/${j}`, message: `'${id}' is written but not in the allocation list` });
          });
          steps.push({ op: 'render', path, allocations: [...new Set(s.allocations)], write: [...new Set(s.write ?? [])] });
          break;
        case 'pressure':
          steps.push({ op: 'pressure', path, bytes: size(s.bytes, `${path}/bytes`, 0) });
          break;
        case 'wait':
          steps.push({ op: 'wait', path, ns: s.ns });
          break;
        case 'verify':
          (s.ids ?? []).forEach((id, j) => known(id, `${path}/ids/${j}`));
          steps.push({ op: 'verify', path, ids: s.ids });
          break;
        case 'repeat':
          for (let t = 0; t < s.times; t++) expand(s.steps, `${path}/steps`);
          break;
        default:
          steps.push(expandWdkStep(s, path, { known, size, problem: (p, message) => problems.push({ path: p, message }) }));
      }
    });
  };
  expand(file.workload ?? [], '/workload');
  if (file.generate) {
    const g = file.generate;
    const generated = generateWorkload({
      seed: g.seed ?? seed,
      allocations: g.allocations,
      steps: g.steps,
      minSize: size(g.minSize, '/generate/minSize', PAGE, { min: 1 }),
      maxSize: size(g.maxSize, '/generate/maxSize', 64 * 1024, { min: 1 }),
      allocationsPerRender: g.allocationsPerRender ?? 4,
      weights: g.weights ?? {},
      verify: g.verify ?? true,
      existing: [...live],
    });
    expand(generated, '/generate');
  }
  if (problems.length) throw new ScenarioError(source, problems);
  return {
    name: file.name ?? source,
    description: file.description ?? '',
    source,
    seed,
    adapter,
    kernel,
    steps,
    ...(file.verifier !== undefined ? { verifier: file.verifier } : {}),
    ...(file.tdrDelayMs !== undefined ? { tdrDelayMs: file.tdrDelayMs } : {}),
  };
}
