// "Who wrote this?" from the VRAM view: asks the debug adapter (pagingLab.whoWrote) who wrote the
// byte at the view's cursor, or every write to a range, and lists the answer in a quick pick. A
// driver line opens the file at that line; a GPU instruction or a buffer's bytes open as a .pgasm
// listing around that address (the adapter's disassembly, as Open Current Paging Buffer does); "Go to
// the moment it was written" travels there (pagingLab.goToMoment).

import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { GO_TO_MOMENT_REQUEST, WHO_WROTE_REQUEST, type WhoLink, type WhoWroteResponse } from '../debugger/customRequests';
import { pgasmListing } from './pgasmListing';

const ICON: Record<WhoLink['kind'], string> = {
  write: '$(edit)',
  instruction: '$(chip)',
  ddi: '$(symbol-method)',
  'driver-line': '$(go-to-file)',
  cause: '$(server-process)',
  step: '$(list-ordered)',
};

interface LinkItem extends vscode.QuickPickItem {
  link?: WhoLink;
  /** Time travel: the session goes to this moment of the run. */
  moment?: number;
}

/** Asks who wrote [address, address + length) (or its history) and shows the answer. */
export async function showWhoWrote(session: vscode.DebugSession, address: number, length: number, history: boolean): Promise<void> {
  let r: WhoWroteResponse;
  try {
    r = (await session.customRequest(WHO_WROTE_REQUEST, { memoryReference: '0x' + address.toString(16), length, history })) as WhoWroteResponse;
  } catch (e) {
    void vscode.window.showErrorMessage(`Who wrote this? ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const items: LinkItem[] = [];
  if (history) {
    items.push({ label: `${r.memoryReference} (${r.length} bytes), oldest first`, kind: vscode.QuickPickItemKind.Separator });
    if (!r.history?.length) items.push({ label: 'No write to these bytes in this run so far' });
    if (r.historyDropped) items.push({ label: `(${r.historyDropped} older writes not listed)` });
    for (const h of r.history ?? []) items.push({ label: `$(history) moment ${h.moment}: ${h.writer}`, description: `${h.memoryReference} +${h.length}, ${h.time} ns` });
  } else {
    for (const p of r.pieces) {
      items.push({ label: `${p.memoryReference}${p.length > 1 ? ` (${p.length} bytes)` : ''}`, kind: vscode.QuickPickItemKind.Separator });
      if (!p.writer) items.push({ label: 'Never written in this run: it holds what it held at the start' });
      if (p.moment !== undefined) items.push({ label: `$(debug-step-back) Go to the moment it was written (moment ${p.moment})`, detail: 'Time travel: the debugger stands where the run was when these bytes were written', moment: p.moment });
      for (const l of p.links) {
        if (l.kind === 'driver-line' && l.location) {
          // "file:line:column  source text": the file's name is enough here, the path is in the detail.
          const code = l.text.split('  ').slice(1).join('  ').trim();
          items.push({ label: `${ICON[l.kind]} ${basename(l.location.path)}:${l.location.line}  ${code}`, detail: `Open ${l.location.path} at this line`, link: l });
        } else if (l.kind === 'instruction' && l.memoryReference) {
          items.push({ label: `${ICON[l.kind]} ${l.text}`, detail: `Open the paging buffer at ${l.memoryReference} as pgasm`, link: l });
        } else items.push({ label: `${ICON[l.kind]} ${l.text}` });
      }
    }
  }
  const title = history ? `Writes to ${r.memoryReference} (${r.length} bytes)` : `Who wrote ${r.memoryReference}?`;
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: history ? 'Every write, in the order they happened' : 'The last write and what led to it, most direct first', matchOnDescription: true });
  if (picked?.link) await openLink(session, picked.link);
  else if (picked?.moment !== undefined) await goToMoment(session, picked.moment);
}

async function goToMoment(session: vscode.DebugSession, moment: number): Promise<void> {
  try {
    await session.customRequest(GO_TO_MOMENT_REQUEST, { moment });
  } catch (e) {
    void vscode.window.showErrorMessage(`Go to moment ${moment}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function openLink(session: vscode.DebugSession, l: WhoLink): Promise<void> {
  if (l.location) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(l.location.path));
    const at = new vscode.Position(Math.max(0, l.location.line - 1), Math.max(0, l.location.column - 1));
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at), preview: false });
    return;
  }
  if (l.memoryReference) {
    const BEFORE = 16;
    const body = (await session.customRequest('disassemble', { memoryReference: l.memoryReference, instructionOffset: -BEFORE, instructionCount: BEFORE + 64, resolveSymbols: true })) as DebugProtocol.DisassembleResponse['body'];
    const content = pgasmListing(body?.instructions ?? [], BEFORE, `instructions at ${l.memoryReference}: ${l.text}`);
    const doc = await vscode.workspace.openTextDocument({ language: 'pgasm', content });
    await vscode.window.showTextDocument(doc, { preview: false });
  }
}
