// Scenarios: the format (types), reading and validating (load), the random workload generator.

export * from './types';
export { parseScenario, normalizeScenario, parseSize, ScenarioError } from './load';
export type { ScenarioProblem } from './load';
export { generateWorkload } from './generate';
export type { GenerateOptions } from './generate';
export { scenarioGpuConfig } from './gpuConfig';
