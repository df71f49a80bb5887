// The `paging-lab` command line: one subcommand per file in ./commands, dispatched by name.
// Every command returns an exit status instead of calling process.exit, so tests can run them
// in-process, and prints errors as one readable line rather than a stack trace.

import { setFlagsFromString } from 'node:v8';
import { isWatchedWorker, jobData, runWatchedJob } from '../host/watchedJob';
import { stopCompiler } from '../sim/driver/esbuildWasm';
import { commands } from './registry';
import { isSweepWorker } from './sweep/serve';
import { serveSweepWorker } from './sweep/worker';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`paging-lab: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    process.stderr.write(`paging-lab ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

function usage(): string {
  const width = Math.max(...commands.map((c) => c.synopsis.length));
  return (
    'usage: paging-lab <command> [options]\n\n' +
    commands.map((c) => `  ${c.synopsis.padEnd(width)}  ${c.summary}`).join('\n') +
    '\n'
  );
}

if (isWatchedWorker()) {
  // `paging-lab run` runs the machine here, off the main thread (./runWorker.ts).
  runWatchedJob(() => main(jobData<{ argv: string[] }>().argv));
} else if (isSweepWorker()) {
  // `paging-lab test` runs its pairs here (./sweep/pool.ts).
  serveSweepWorker();
} else if (require.main === module) {
  // Drivers are compiled by esbuild's WebAssembly build once per thread, one short compile each:
  // Liftoff's code is fast enough for that, and optimizing the 14 MB module as well costs about
  // 0.7 s of CPU per thread (run: 3.2 -> 0.4 s user time). Flags are per process, so the worker
  // threads of `run` and `test` get it too.
  setFlagsFromString('--liftoff-only');
  // A reader that stops early (`paging-lab run | head`) closes the pipe: end quietly, as Unix tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e) => {
        process.stderr.write(`paging-lab: ${e instanceof Error ? e.stack : String(e)}\n`);
        process.exitCode = 1;
      },
    )
    .then(stopCompiler);
}
