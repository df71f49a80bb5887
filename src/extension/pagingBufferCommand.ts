// "Paging Lab: Open Current Paging Buffer as pgasm": the DMA buffer the GPU engine is executing,
// as an untitled .pgasm document, from the adapter's `disassemble` around the top GPU frame's
// instruction pointer. (The console's `!pgasm ADDR` prints a listing with addresses and bytes in
// front of each line, which is not pgasm source, so it is not used here.)

import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { debugEvents } from './debugEvents';
import { findGpuFrame } from './gpuFrame';
import { pgasmListing } from './pgasmListing';

export const CMD_OPEN_PAGING_BUFFER = 'pagingLab.openPagingBufferAsPgasm';

const BEFORE = 256;
const AFTER = 512;

async function fromDisassembly(session: vscode.DebugSession): Promise<string> {
  const gpu = await findGpuFrame(session);
  if (!gpu) throw new Error('No GPU engine is executing a paging buffer right now: stop on the GPU thread (or at a paging opcode) first.');
  const r = (await session.customRequest('disassemble', {
    memoryReference: gpu.instructionPointerReference,
    instructionOffset: -BEFORE,
    instructionCount: BEFORE + AFTER,
    resolveSymbols: true,
  })) as DebugProtocol.DisassembleResponse['body'];
  return pgasmListing(r?.instructions ?? [], BEFORE, `paging buffer executing on ${gpu.threadName} (${gpu.frame.name}), next instruction at ${gpu.instructionPointerReference}`);
}

export function registerPagingBufferCommand(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(CMD_OPEN_PAGING_BUFFER, async () => {
      const session = debugEvents.currentSession();
      if (!session) return void vscode.window.showErrorMessage('Open Current Paging Buffer needs a Paging Lab debug session that is stopped: start one with F5.');
      try {
        const content = await fromDisassembly(session);
        const doc = await vscode.workspace.openTextDocument({ language: 'pgasm', content });
        await vscode.window.showTextDocument(doc, { preview: false });
      } catch (e) {
        void vscode.window.showErrorMessage(`Could not open the paging buffer: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
}
