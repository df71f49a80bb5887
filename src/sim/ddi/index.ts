// The DDI layer: the contract a driver codes against (`paging-lab/ddi`), the GPU programming
// interface (`paging-lab/gpu`), and the kernel-side rules about which statuses each DDI may return.

export * from './contract';
export * as gpu from './gpu';
export { allowedStatuses, isAllowedStatus } from './statusRules';
