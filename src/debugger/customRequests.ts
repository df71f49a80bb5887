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
