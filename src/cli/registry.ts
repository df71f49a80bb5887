// The subcommands, in the order the usage text lists them. Add a command by adding its file
// under ./commands and one line here.

import type { Command } from './command';
import { asmCommand } from './commands/asm';
import { disasmCommand } from './commands/disasm';
import { execCommand } from './commands/exec';
import { runCommand } from './commands/run';
import { testCommand } from './commands/test';

export const commands: Command[] = [runCommand, testCommand, asmCommand, disasmCommand, execCommand];
