// Entry of dist/debugAdapter.js: a Debug Adapter Protocol server over stdio. The same bundle is the
// runtime worker's script: started as a worker thread it hosts the simulator instead (one file to
// ship, and the worker always runs the same code as the session).

import { isRuntimeWorker, startWorker } from './runtime/worker';
import { openProtocolLog } from './protocolLog';
import { PagingLabSession } from './session';

if (isRuntimeWorker()) {
  startWorker();
} else {
  const log = openProtocolLog(process.env.PAGING_LAB_DAP_LOG, (text) => process.stderr.write(text));
  const session = new PagingLabSession({ workerScript: __filename, log });
  // A bug in the adapter must not take the session down with it: report and keep serving.
  process.on('uncaughtException', (e) => process.stderr.write(`paging-lab debug adapter: ${e.stack ?? e}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`paging-lab debug adapter: ${String(e)}\n`));
  session.start(process.stdin, process.stdout);
}
