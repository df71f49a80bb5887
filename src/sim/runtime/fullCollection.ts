// A full collection of this thread's heap, asked for outright: V8's own `gc` (the function
// `--expose-gc` installs), made once in a throwaway context while the flag is up and lowered again,
// so no other context (a driver's least of all) ever has a `gc`. A collection asked for this way
// also runs at once what V8 otherwise leaves to the event loop (sim/driver/takenContexts.ts).

import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined;

export function fullCollection(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    try {
      gc = vm.runInNewContext('gc') as () => void;
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
  }
  gc();
}
