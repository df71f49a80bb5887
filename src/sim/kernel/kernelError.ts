// An error the kernel raises about the run itself rather than the driver's code: a scenario asking
// for more memory than the adapter can ever hold, a GPU fault, content that did not survive paging.

export class KernelError extends Error {
  constructor(
    readonly category: 'scenario' | 'gpu' | 'verify' | 'internal',
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'KernelError';
  }
}
