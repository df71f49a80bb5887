// "Paging Lab: Open VRAM View": on a segment or allocation (tree item actions), on a variable
// with a memory reference (Variables view context menu, e.g. pDmaBuffer), on an address passed by
// another command, or, with nothing given, on what the user picks or types.

import * as vscode from 'vscode';
import { adapterState } from './adapterState';
import { AllocationItem, SegmentItem } from './adapterViews';
import { debugEvents } from './debugEvents';
import { findGpuFrame } from './gpuFrame';
import { vramView } from './vramPanel';
import { allocationAddress, allocationLabel, overlaysOf, parseMemoryReference, segmentRegions, targetForAddress, targetForAllocation, targetForSegment } from './vramTargets';
import { parseAddress } from '../../media/src/address';
import type { ViewTarget } from '../../media/src/protocol';

export const CMD_OPEN_VRAM_VIEW = 'pagingLab.openVramView';
/** The same, titled for the Variables view's context menu, where it comes first. */
export const CMD_OPEN_IN_VRAM_VIEW = 'pagingLab.openInVramView';
/** Ctrl+G in the VRAM view (bound while it is the active editor, over the editor's Go to Line). */
export const CMD_VRAM_GO_TO = 'pagingLab.vramView.goToAddress';

interface VariableContext {
  variable?: { name?: string; memoryReference?: string };
}

/** What the command was invoked on, as a view target; undefined when the user must choose. */
export function targetFromArgument(arg: unknown): ViewTarget | undefined {
  const state = adapterState.state;
  if (arg instanceof SegmentItem) return targetForSegment(arg.segment);
  if (arg instanceof AllocationItem) return targetForAllocation(arg.allocation, state);
  if (typeof arg === 'number') return targetForAddress(arg, state);
  if (typeof arg === 'string') {
    const r = parseAddress(arg, { segments: segmentRegions(state), allocations: overlaysOf(state) });
    if (!r.ok) throw new Error(r.error);
    return targetForAddress(r.address, state);
  }
  if (arg && typeof arg === 'object') {
    const o = arg as { address?: unknown; memoryReference?: unknown } & VariableContext;
    if (typeof o.address === 'number') return targetForAddress(o.address, state);
    const ref = typeof o.memoryReference === 'string' ? o.memoryReference : o.variable?.memoryReference;
    if (typeof ref === 'string') {
      const address = parseMemoryReference(ref, state);
      if (address === undefined) throw new Error(`The memory reference ${ref} is not an address this view understands.`);
      return targetForAddress(address, state, o.variable?.name);
    }
  }
  return undefined;
}

type Pick = vscode.QuickPickItem & { target?: () => Promise<ViewTarget | undefined> };

async function askForTarget(): Promise<ViewTarget | undefined> {
  const state = adapterState.state;
  const items: Pick[] = [{ label: '$(edit) Enter an address…', description: '0x1000, vram:0x1000, #4096, allocation name', target: askForAddress }];
  const session = debugEvents.currentSession();
  if (session && debugEvents.isStopped(session)) {
    items.push({
      label: '$(debug-stackframe) Current DMA buffer',
      description: 'the paging buffer the GPU engine is executing',
      target: async () => {
        const gpu = await findGpuFrame(session);
        const address = gpu && parseMemoryReference(gpu.instructionPointerReference, state);
        if (address === undefined) throw new Error('No GPU engine is executing a paging buffer right now.');
        return targetForAddress(address, state, 'DMA buffer');
      },
    });
  }
  items.push({ label: 'Segments', kind: vscode.QuickPickItemKind.Separator });
  const segments = state?.segments ?? segmentRegions(undefined).map((s, i) => ({ id: i + 1, name: s.name, size: s.size }));
  for (const s of segments) items.push({ label: `$(database) ${s.name}`, description: `segment ${s.id}`, target: async () => targetForSegment(s) });
  const resident = (state?.allocations ?? []).filter((a) => allocationAddress(a) !== undefined);
  if (resident.length) {
    items.push({ label: 'Allocations', kind: vscode.QuickPickItemKind.Separator });
    for (const a of resident) items.push({ label: `$(symbol-variable) ${allocationLabel(a)}`, description: a.lastPagingOperation, target: async () => targetForAllocation(a, state) });
  }
  // Typing an address in the picker offers it directly, so one box serves both ways of choosing.
  const ctx = { segments: segmentRegions(state), allocations: overlaysOf(state) };
  const qp = vscode.window.createQuickPick<Pick>();
  qp.title = 'Open VRAM View';
  qp.placeholder = 'A segment, an allocation, the current DMA buffer, or type an address (vram:0x1000, 0x10000001000)';
  qp.items = items;
  qp.onDidChangeValue((value) => {
    const r = value.trim() ? parseAddress(value, ctx) : undefined;
    const typed: Pick[] = [];
    if (r?.ok) {
      let detail: string;
      try {
        const t = targetForAddress(r.address, state);
        detail = `${t.title} at 0x${r.address.toString(16)}`;
        typed.push({ label: `$(arrow-right) Go to ${value.trim()}`, description: detail, alwaysShow: true, target: async () => t });
      } catch (e) {
        typed.push({ label: `$(error) ${value.trim()}`, description: e instanceof Error ? e.message : String(e), alwaysShow: true });
      }
    }
    qp.items = [...typed, ...items];
  });
  const choice = await new Promise<Pick | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return choice?.target?.();
}

async function askForAddress(): Promise<ViewTarget | undefined> {
  const state = adapterState.state;
  const ctx = { segments: segmentRegions(state), allocations: overlaysOf(state) };
  const text = await vscode.window.showInputBox({
    title: 'Open VRAM View at an address',
    prompt: 'Hex (0x1000 or 1000), #decimal, segment:offset (vram:0x1000) or an allocation name',
    validateInput: (v) => {
      const r = parseAddress(v, ctx);
      if (!r.ok) return r.error;
      try {
        targetForAddress(r.address, state);
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
  });
  if (text === undefined) return undefined;
  const r = parseAddress(text, ctx);
  return r.ok ? targetForAddress(r.address, state) : undefined;
}

export function registerVramCommands(context: vscode.ExtensionContext): void {
  const open = async (arg?: unknown) => {
    try {
      const target = targetFromArgument(arg) ?? (await askForTarget());
      if (target) vramView.show(target);
    } catch (e) {
      void vscode.window.showErrorMessage(`Open VRAM View: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  context.subscriptions.push(
    vscode.commands.registerCommand(CMD_OPEN_VRAM_VIEW, open),
    vscode.commands.registerCommand(CMD_OPEN_IN_VRAM_VIEW, open),
    vscode.commands.registerCommand(CMD_VRAM_GO_TO, () => {
      if (!vramView.focusGoto()) void vscode.commands.executeCommand(CMD_OPEN_VRAM_VIEW);
    }),
  );
}
