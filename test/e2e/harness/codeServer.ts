// Starts and stops one code-server (a real VS Code: workbench in the browser, extension host on
// Node) on 127.0.0.1 and a free port, with a fresh user-data folder whose settings keep prompts and
// welcome pages out of the way. Failures to start say so with the server's own output.

import { spawn, ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface CodeServerOptions {
  /** The code-server launcher. */
  bin: string;
  /** Folder opened as the workspace. */
  workspace: string;
  /** Extensions folder (holds the installed .vsix). */
  extensionsDir: string;
  /** Folder for this server's user data; created. */
  userDataDir: string;
  /** Extra user settings, merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** How long to wait for the server to answer, in ms. */
  startTimeoutMs?: number;
}

/** User settings for a quiet, deterministic workbench. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Process groups of the servers still running, ended if the test process exits without `stop()`. */
const running = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  // A plain SIGTERM would skip 'exit' handlers; turn it into an exit.
  process.once('SIGTERM', () => process.exit(143));
}

export class CodeServer {
  private exited = false;
  private output = '';

  private constructor(
    private readonly proc: ChildProcess,
    readonly url: string,
  ) {
    proc.stdout?.on('data', (d: Buffer) => this.collect(d));
    proc.stderr?.on('data', (d: Buffer) => this.collect(d));
    proc.once('exit', () => {
      this.exited = true;
      if (proc.pid !== undefined) running.delete(proc.pid);
    });
    if (proc.pid !== undefined) {
      installExitHook();
      running.add(proc.pid);
    }
  }

  /** The last part of what the server printed, for error messages. */
  get log(): string {
    return this.output;
  }

  private collect(d: Buffer): void {
    this.output = (this.output + d.toString()).slice(-8000);
  }

  static async start(opts: CodeServerOptions): Promise<CodeServer> {
    mkdirSync(join(opts.userDataDir, 'User'), { recursive: true });
    writeFileSync(
      join(opts.userDataDir, 'User', 'settings.json'),
      JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2),
    );
    const port = await freePort();
    const args = [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', opts.userDataDir,
      '--extensions-dir', opts.extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      opts.workspace,
    ];
    // Its own process group, so stop() ends the extension host and the other helpers with it.
    // code-server keeps its config file and logs under XDG folders: keep them beside the user data.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: join(opts.userDataDir, 'xdg-config'),
      XDG_DATA_HOME: join(opts.userDataDir, 'xdg-data'),
    };
    const proc = spawn(opts.bin, args, { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new CodeServer(proc, `http://127.0.0.1:${port}`);
    const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
    try {
      await server.waitUntilServing(opts.startTimeoutMs ?? 60_000, spawnError);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private async waitUntilServing(timeoutMs: number, spawnError: Promise<Error>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let failure: Error | undefined;
    void spawnError.then((e) => (failure = e));
    while (Date.now() < deadline) {
      if (failure) throw new Error(`code-server could not be started: ${failure.message}; run \`node scripts/e2e/install.mjs\``);
      if (this.exited) throw new Error(`code-server exited while starting; its output:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`code-server did not answer on ${this.url} within ${timeoutMs} ms; its output:\n${this.output}`);
  }

  /** Stops the server and everything it started; safe to call twice. */
  async stop(): Promise<void> {
    if (this.exited || this.proc.pid === undefined) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-this.proc.pid!, sig);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    signal('SIGKILL'); // children that ignored SIGTERM
  }
}
