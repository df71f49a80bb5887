// Custom DAP requests the extension's views send to the debug adapter (session.customRequest).
// Plain data only, so the extension and the adapter agree on one definition. Addresses are
// strings in the adapter's memory-reference form, usable with readMemory.

export const ADAPTER_STATE_REQUEST = 'pagingLab.adapterState';

/** Writes the session's recording (`paging-lab run --record`'s format, with the edits made while debugging) to `file`. */
export const SAVE_RECORDING_REQUEST = 'pagingLab.saveRecording';

export interface SaveRecordingArguments {
  /** Absolute path of the file to write. */
  file: string;
}

export interface SaveRecordingResponse {
  file: string;
  /** Edits in the recording. */
  edits: number;
  /** Whether the run had ended (the recording then holds its outcome and digest). */
  finished: boolean;
}

export interface SegmentState {
  id: number;
  name: string;
  kind: 'memory' | 'aperture';
  size: number;
  used: number;
  cpuVisible: boolean;
  allocations: number;
  resident: number;
  memoryReference: string;
}

export interface AllocationState {
  handle: number;
  name: string;
  size: number;
  state: 'resident' | 'evicted' | 'unplaced' | 'destroyed';
  segmentId?: number;
  offset?: number;
  locked: boolean;
  lastPagingOperation?: string;
  /** Its priority level, by its D3dukmdt.h name (D3DDDI_ALLOCATIONPRIORITY_NORMAL) or in hex. */
  priority?: string;
  /** The swizzling range VidMm holds for it: in use by a CPU lock, or cached since one. */
  swizzlingRange?: { id: number; data: number; privateData: number; inUse: boolean };
  /** Resident in a banked segment: the bank it lies in (1-based). */
  bank?: number;
  /** The banks its HintedBank names, in words ('bank 2, then bank 1'). */
  hintedBank?: string;
  /** DXGK_ALLOCATIONINFO.EvictionSegmentSet, when it names aperture segments to evict through. */
  evictionSegmentSet?: number;
  memoryReference?: string;
}

export interface FenceState {
  name: string;
  value: string;
}

export interface PagingQueueEntry {
  fenceValue: string;
  operation: string;
  state: 'queued' | 'running' | 'done';
}

export interface AdapterStateResponse {
  /** Virtual time in nanoseconds. */
  time: number;
  segments: SegmentState[];
  allocations: AllocationState[];
  fences: FenceState[];
  pagingQueue: PagingQueueEntry[];
}

/**
 * Who wrote memory: the last write of each part of a range with its provenance chain (and, asked
 * for, every write to the range in order). Arguments: `{ memoryReference, length?, history? }`.
 */
export const WHO_WROTE_REQUEST = 'pagingLab.whoWrote';

/**
 * Time travel to a moment of the run (a link of "Who wrote this?": the moment the bytes were
 * written). Arguments: `{ moment }`; the answer is empty, and a `stopped` event (reason `goto`)
 * follows once the session stands there.
 */
export const GO_TO_MOMENT_REQUEST = 'pagingLab.goToMoment';

export interface WhoWroteArguments {
  memoryReference: string;
  /** Bytes from memoryReference (default 1). */
  length?: number;
  /** Also list every write to the range, oldest first. */
  history?: boolean;
}

/** One link of a provenance chain, most direct first. */
export interface WhoLink {
  kind: 'write' | 'instruction' | 'ddi' | 'driver-line' | 'cause' | 'step';
  text: string;
  /** The moment of the run this link happened at (the progress counter; travel goes there). */
  moment?: number;
  /** An address to open (the instruction, in Disassembly; the DMA buffer bytes). */
  memoryReference?: string;
  /** A driver source line. */
  location?: { path: string; line: number; column: number };
}

/** A part of the range with one last write (none: never written in this run). */
export interface WhoPiece {
  memoryReference: string;
  length: number;
  writer?: string;
  moment?: number;
  links: WhoLink[];
}

export interface WhoHistoryEntry {
  moment: number;
  /** Virtual time, ns. */
  time: number;
  memoryReference: string;
  length: number;
  writer: string;
}

export interface WhoWroteResponse {
  memoryReference: string;
  length: number;
  space: 'vram' | 'system';
  /** The moment the answer is for (where the session stands). */
  moment: number;
  pieces: WhoPiece[];
  history?: WhoHistoryEntry[];
  /** Writes left out of `history` (the oldest), when there were too many. */
  historyDropped?: number;
}
