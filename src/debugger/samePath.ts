// Whether two paths name the same file as the client would see it: resolved, and on Windows without
// regard to case (a breakpoint's path and the driver's source map may spell it differently).

import { resolve } from 'node:path';

export function samePath(a: string, b: string): boolean {
  const na = resolve(a);
  const nb = resolve(b);
  return process.platform === 'win32' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}
