// Entry point of dist/server.js, the pgasm language server. `createConnection` picks the transport
// from the command line (`--stdio`, `--node-ipc`, `--socket=N`), as every LSP client expects.

import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { CHECKED_PARAMS } from './params';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all, CHECKED_PARAMS);

// The server must outlive any bad input: a stray exception is logged, never fatal.
process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e.stack ?? e}`));
process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${String(e)}`));

startServer(connection);
