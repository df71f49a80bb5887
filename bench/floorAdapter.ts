// The debugger benchmark's floor: a minimal debug adapter on the same library (@vscode/debugadapter)
// that does no work at all: `next` answers with an immediate stop, a refresh returns one small frame,
// memory is a fixed buffer. Whatever the real adapter costs beyond this is its own overhead.

import { DebugSession, Event } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';

const MEMORY = Buffer.alloc(1024 * 1024, 0x5a);

class FloorSession extends DebugSession {
  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = { supportsConfigurationDoneRequest: true, supportsReadMemoryRequest: true, supportsDisassembleRequest: true };
    this.sendResponse(response);
    this.sendEvent(new Event('initialized'));
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse): void {
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.sendEvent(new Event('stopped', { reason: 'entry', threadId: 100, allThreadsStopped: true }));
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [{ id: 100, name: 'GPU paging engine 0' }] };
    this.sendResponse(response);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.sendEvent(new Event('stopped', { reason: 'step', threadId: 100, allThreadsStopped: true }));
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    response.body = {
      stackFrames: [{ id: 1, name: 'nop  [dma+0x0]', line: 1, column: 1, source: { name: 'floor.pgasm', path: '/floor.pgasm' }, instructionPointerReference: '0x10000' }],
      totalFrames: 1,
    };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = { scopes: [{ name: 'Registers', variablesReference: 1, expensive: false }] };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse): void {
    response.body = {
      variables: ['state', 'pc', 'instruction', 'pagingFence', 'time', 'busyUntil', 'submission', 'queued'].map((name) => ({ name, value: '0x0', variablesReference: 0 })),
    };
    this.sendResponse(response);
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    response.body = { address: args.memoryReference, data: MEMORY.subarray(0, Math.min(args.count, MEMORY.length)).toString('base64') };
    this.sendResponse(response);
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    const instructions: DebugProtocol.DisassembledInstruction[] = [];
    for (let i = 0; i < args.instructionCount; i++) instructions.push({ address: '0x' + (0x10000 + i * 4).toString(16), instruction: 'nop', instructionBytes: '01 00 01 00' });
    response.body = { instructions };
    this.sendResponse(response);
  }
}

new FloorSession().start(process.stdin, process.stdout);
