// Scenarios: the format (types), reading and validating (load), the random workload generator.

export * from './types';
export { parseScenario, normalizeScenario, parseSize, ScenarioError } from './load';
export type { ScenarioProblem } from './load';
export { generateWorkload, generateSteps } from './generate';
export { Steps } from './steps';
export { SCENARIO_LIMITS } from './limits';
export type { GenerateOptions } from './generate';
export { scenarioGpuConfig } from './gpuConfig';
