// What a driver session keeps to save its run as a recording (`paging-lab run --record`'s format)
// and to say whether a replay reproduced one: the run's fingerprint so far, and the edits made while
// debugging (a replay's own first) at their moments.

import { tdrDelayFor } from '../../host/watchdog';
import { compileDriver } from '../../sim/driver/loader';
import type { Machine, MachineEvent } from '../../sim/machine';
import { RunDigest } from '../../sim/recording/digest';
import type { EditReplay } from '../../sim/recording/edits';
import { makeRecording, notReproducedBecause, writeRecording, type RecordedEdit } from '../../sim/recording/recording';
import type { ResolvedLaunch } from '../launch';

export class SessionRecording {
  /** The run's fingerprint so far (a replay compares it with its recording's). */
  private readonly digest = new RunDigest();
  /** The edits made while debugging (a replay's first), at their moments: what Save Recording writes. */
  private readonly edits: RecordedEdit[] = [];

  constructor(
    private readonly config: ResolvedLaunch,
    private readonly driverPath: string,
    private readonly scenarioPath: string,
    /** A replay's edits as the first machine applied them (the verdict says which it could not). */
    private readonly replayEdits: EditReplay | undefined,
  ) {
    if (config.replay) this.edits.push(...config.replay.edits);
  }

  /** The event of moment `moment` (once: going forward again after a step back replays events the digest has). */
  noteEvent(e: MachineEvent, moment: number): void {
    if (moment > this.digest.events) this.digest.add(e);
  }

  noteEdit(edit: Omit<RecordedEdit, 'moment'>, moment: number): void {
    this.edits.push({ moment, ...edit });
  }

  /** Writes the recording: the run's inputs, the edits made so far, and the outcome when the run has ended. */
  async save(file: string, machine: Machine, finished: boolean): Promise<{ file: string; edits: number; finished: boolean }> {
    const compiled = await compileDriver(this.driverPath); // the compilation this run used, from the cache
    const scenario = machine.kernel.scenario;
    const r = machine.result();
    writeRecording(
      file,
      makeRecording({
        file,
        driverFiles: compiled.inputs,
        driverEntry: compiled.file,
        scenarioFile: this.scenarioPath,
        scenarioName: scenario.name,
        seed: scenario.seed,
        tdrDelayMs: tdrDelayFor(this.config.tdrDelayMs, scenario.tdrDelayMs),
        verifier: this.config.verifier && scenario.verifier !== false,
        edits: this.edits,
        outcome: finished ? { ok: r.ok, events: this.digest.events, digest: this.digest.hex(), ...(r.error ? { error: r.error.rule ?? r.error.category } : {}) } : undefined,
      }),
    );
    return { file, edits: this.edits.length, finished };
  }

  /** After a replay's run: whether it reproduced its recording, said in one line (empty for a run that is no replay). */
  verdict(): string {
    const plan = this.config.replay;
    if (!plan) return '';
    const was = plan.recording.outcome;
    const notes: string[] = [];
    const skipped = this.replayEdits?.variables.length ?? 0;
    if (skipped) notes.push(` ${skipped} setVariable edit(s) of the recording could not be applied: at their moment the run stood at no DDI call with that argument.`);
    if (!was?.digest) return `\nReplay of ${plan.file}: the recording has no digest of its run to compare with.${notes.join('')}`;
    if (was.digest === this.digest.hex()) return `\nReplay of ${plan.file}: reproduced the recorded run (${this.digest.events} events, digest ${was.digest.slice(0, 16)}).${notes.join('')}`;
    return (
      `\nReplay of ${plan.file}: DID NOT reproduce the recorded run: ${was.events} events, digest ${was.digest.slice(0, 16)} then; ` +
      `${this.digest.events} events, digest ${this.digest.hex().slice(0, 16)} now. ${notReproducedBecause(plan.recording)}.${notes.join('')}`
    );
  }
}
