// The Run and Debug side bar's Paging Lab trees: segments, allocations, the paging queue and the
// fences, as of the last stop (fed by adapterState.ts). Segment and allocation items carry the
// data the "Open VRAM View" item actions need.

import * as vscode from 'vscode';
import type { AllocationState, SegmentState } from '../debugger/customRequests';
import { adapterState } from './adapterState';
import { formatBytes, percent } from './format';
import { allocationLabel } from './vramTargets';

export const VIEW_SEGMENTS = 'pagingLab.segments';
export const VIEW_ALLOCATIONS = 'pagingLab.allocations';
export const VIEW_PAGING_QUEUE = 'pagingLab.pagingQueue';
export const VIEW_FENCES = 'pagingLab.fences';

export class SegmentItem extends vscode.TreeItem {
  constructor(readonly segment: SegmentState) {
    super(segment.name, vscode.TreeItemCollapsibleState.None);
    this.description = `${formatBytes(segment.used)} / ${formatBytes(segment.size)} (${percent(segment.used, segment.size)}) · ${segment.allocations} allocations · ${segment.resident} resident`;
    this.tooltip = new vscode.MarkdownString(
      [
        `**${segment.name}** (segment ${segment.id}, ${segment.kind}${segment.cpuVisible ? ', CPU-visible' : ''})`,
        `- size: ${formatBytes(segment.size)}`,
        `- used: ${formatBytes(segment.used)} (${percent(segment.used, segment.size)})`,
        `- allocations: ${segment.allocations}, resident: ${segment.resident}`,
        `- memory reference: \`${segment.memoryReference}\``,
      ].join('\n'),
    );
    this.iconPath = new vscode.ThemeIcon(segment.kind === 'aperture' ? 'references' : 'database');
    this.contextValue = 'pagingLab.segment';
  }
}

export class AllocationItem extends vscode.TreeItem {
  constructor(readonly allocation: AllocationState, segmentName: string | undefined) {
    super(allocationLabel(allocation), vscode.TreeItemCollapsibleState.None);
    const a = allocation;
    const where = a.state === 'resident' && a.offset !== undefined ? `${segmentName ?? `segment ${a.segmentId}`}:0x${a.offset.toString(16)}` : a.state;
    this.description = [where, formatBytes(a.size), a.locked ? 'locked' : '', a.lastPagingOperation ?? ''].filter(Boolean).join(' · ');
    this.tooltip = new vscode.MarkdownString(
      [
        `**${allocationLabel(a)}**`,
        `- state: ${a.state}`,
        `- location: ${where}`,
        `- size: ${formatBytes(a.size)}`,
        `- locked: ${a.locked ? 'yes' : 'no'}`,
        `- last paging operation: ${a.lastPagingOperation ?? 'none'}`,
        ...(a.priority ? [`- priority: ${a.priority}`] : []),
        ...(a.swizzlingRange ? [`- swizzling range: ${a.swizzlingRange.id} (${a.swizzlingRange.inUse ? 'in use by a CPU lock' : 'cached since a lock'})`] : []),
        ...(a.bank ? [`- bank: ${a.bank}`] : []),
        ...(a.hintedBank ? [`- HintedBank: ${a.hintedBank}`] : []),
        ...(a.evictionSegmentSet ? [`- EvictionSegmentSet: 0x${a.evictionSegmentSet.toString(16)} (evicted through an aperture segment)`] : []),
      ].join('\n'),
    );
    this.iconPath = new vscode.ThemeIcon(a.locked ? 'lock' : a.state === 'resident' ? 'circle-filled' : 'circle-outline');
    this.contextValue = a.state === 'resident' ? 'pagingLab.allocation.resident' : 'pagingLab.allocation';
  }
}

/** A tree of plain rows rebuilt from the adapter state at each stop. */
class StateTree implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly build: () => vscode.TreeItem[]) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(parent?: vscode.TreeItem): vscode.TreeItem[] {
    if (parent) return [];
    if (adapterState.error) return [message(adapterState.error, 'warning')];
    return this.build();
  }
}

function message(text: string, icon = 'info'): vscode.TreeItem {
  const item = new vscode.TreeItem(text);
  item.iconPath = new vscode.ThemeIcon(icon);
  item.tooltip = text;
  return item;
}

export function segmentItems(): vscode.TreeItem[] {
  return (adapterState.state?.segments ?? []).map((s) => new SegmentItem(s));
}

export function allocationItems(): vscode.TreeItem[] {
  const s = adapterState.state;
  if (!s) return [];
  const names = new Map(s.segments.map((g) => [g.id, g.name]));
  const live = s.allocations.filter((a) => a.state !== 'destroyed');
  if (!live.length) return [message('No allocations yet.')];
  return live.map((a) => new AllocationItem(a, a.segmentId !== undefined ? names.get(a.segmentId) : undefined));
}

function pagingQueueItems(): vscode.TreeItem[] {
  const s = adapterState.state;
  if (!s) return [];
  if (!s.pagingQueue.length) return [message('The paging queue is empty.')];
  return s.pagingQueue.map((e) => {
    const item = new vscode.TreeItem(e.operation);
    item.description = `fence ${e.fenceValue} · ${e.state}`;
    item.iconPath = new vscode.ThemeIcon(e.state === 'running' ? 'play' : e.state === 'done' ? 'check' : 'clock');
    item.tooltip = `${e.operation}: signals paging fence ${e.fenceValue} when done (${e.state})`;
    return item;
  });
}

function fenceItems(): vscode.TreeItem[] {
  const s = adapterState.state;
  if (!s) return [];
  if (!s.fences.length) return [message('No fences.')];
  return s.fences.map((f) => {
    const item = new vscode.TreeItem(f.name);
    item.description = f.value;
    item.iconPath = new vscode.ThemeIcon('milestone');
    return item;
  });
}

export function registerAdapterViews(context: vscode.ExtensionContext): void {
  const trees = [
    [VIEW_SEGMENTS, new StateTree(segmentItems)],
    [VIEW_ALLOCATIONS, new StateTree(allocationItems)],
    [VIEW_PAGING_QUEUE, new StateTree(pagingQueueItems)],
    [VIEW_FENCES, new StateTree(fenceItems)],
  ] as const;
  for (const [id, tree] of trees) context.subscriptions.push(vscode.window.registerTreeDataProvider(id, tree));
  context.subscriptions.push(adapterState.onDidChange(() => trees.forEach(([, t]) => t.refresh())));
}
