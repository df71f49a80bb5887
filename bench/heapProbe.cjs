// Preloaded into the debug adapter by the soak benchmark (NODE_OPTIONS=--require, so it also runs in
// the adapter's simulator worker): on SIGUSR2 every thread of the process runs two full garbage
// collections and reports what is still alive (heap used), what its heap has committed, and its
// array buffers; with a snapshot asked for, each thread also writes a heap snapshot. The answer goes
// to the file named by PAGING_LAB_HEAP_PROBE as JSON; the request (`{ "snapshot": "tag" }`) is read
// from that name + ".request". Not part of the product: the adapter never loads it on its own.

'use strict';
const { isMainThread, threadId } = require('node:worker_threads');
const v8 = require('node:v8');
const vm = require('node:vm');
const fs = require('node:fs');

const out = process.env.PAGING_LAB_HEAP_PROBE;
if (out) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const channel = new BroadcastChannel('paging-lab-heap-probe');
  channel.unref();

  const measure = (snapshot) => {
    gc();
    gc();
    const s = v8.getHeapStatistics();
    const m = process.memoryUsage();
    const r = { thread: threadId, heapUsed: s.used_heap_size, heapCommitted: s.total_heap_size, arrayBuffers: m.arrayBuffers };
    if (snapshot) r.snapshot = v8.writeHeapSnapshot(`${out}.${snapshot}.thread${threadId}.heapsnapshot`);
    return r;
  };

  if (isMainThread) {
    let replies = [];
    channel.onmessage = (e) => {
      if (e.data.reply) replies.push(e.data.reply);
    };
    process.on('SIGUSR2', () => {
      let request = {};
      try {
        request = JSON.parse(fs.readFileSync(`${out}.request`, 'utf8'));
      } catch {
        // No request file: measure only.
      }
      replies = [];
      channel.postMessage({ ask: request });
      const mine = measure(request.snapshot);
      // The workers answer from their own event loops (a stopped simulator waits for messages).
      setTimeout(() => {
        fs.writeFileSync(`${out}.tmp`, JSON.stringify({ rss: process.memoryUsage().rss, threads: [mine, ...replies] }));
        fs.renameSync(`${out}.tmp`, out);
      }, request.snapshot ? 5000 : 300);
    });
  } else {
    channel.onmessage = (e) => {
      if (e.data.ask) channel.postMessage({ reply: measure(e.data.ask.snapshot) });
    };
  }
}
