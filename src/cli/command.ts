// What a `paging-lab` subcommand is: a name, a one-line synopsis for the usage text, and `run`,
// which returns the process exit status.

export interface Command {
  name: string;
  synopsis: string;
  summary: string;
  run(args: string[]): Promise<number>;
}
