// Each rule points at the buggy sample's own guilty line: the line that ends in `// BUG` (a write to
// an input, the instruction written into the paging buffer that broke the rule, the `return` of a
// rule judged at the return, the line that set MultipassOffset back, the instruction that wrote the
// byte an eviction got wrong), found through the driver's source map, not the DDI's declaration.
// No rule is left pointing at the DDI's implementation: it is only the second location.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_IDS } from '../../../src/sim/verifier/rules';
import { tempDir } from '../../setup';
import { BUGGY, buggyDriver, ROOT, runSample } from './helpers';

/** The line (1-based) whose code ends in a `// BUG` comment. */
function guiltyLine(file: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => /\S.*\/\/ BUG\b/.test(l) && !/^\s*\/\//.test(l));
  return i + 1;
}

/** The line of the function that implements the DDI in the sample (1-based). */
function ddiLine(file: string, ddi: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(`function ${ddi}(`)) + 1;
}

describe("verifier: each rule points at the driver's guilty line", () => {
  for (const rule of RULE_IDS.filter((r) => r !== 'tdr')) {
    it(`${rule}: at the line marked // BUG in its sample`, async () => {
      const file = buggyDriver(rule);
      const run = await runSample(file, BUGGY[rule]);
      const err = run.result.error!;
      assert.equal(err.rule, rule, err.message);
      assert.equal(err.location?.file, file, err.message);
      const line = guiltyLine(file);
      assert.ok(line > 0, `${rule}.ts marks no line with // BUG`);
      assert.equal(err.location!.line, line, `reported at line ${err.location!.line}, the sample's guilty line is ${line}: ${err.message}`);
      assert.match(err.message, new RegExp(`at ${file.replace(/[\\/.]/g, '.')}:${line}:`), 'the message names the line');
      // Rules seen by the kernel itself name no DDI implementation beside the line.
      if (err.ddi && err.message.includes(`\n  in ${err.ddi} at `)) assert.match(err.message, new RegExp(`in ${err.ddi} at .*:${ddiLine(file, err.ddi)}:`), 'the DDI as a second location');
    });
  }
});

describe("verifier: the guilty line whatever the driver's functions are named", () => {
  // The same samples with their DDI functions renamed (registered as `DxgkDdiX: x`): one rule of each
  // way of finding the line (a write to an input, a `return`, an instruction written, the kernel's own).
  const renamed = { DxgkDdiBuildPagingBuffer: 'buildPaging', DxgkDdiCreateAllocation: 'createAllocation' } as const;
  const dir = tempDir('rule-lines-');
  for (const rule of ['operation-inputs-changed', 'ddi-status', 'map-incomplete', 'swizzled-cpu-visible-aperture'] as const) {
    it(`${rule}: at the line marked // BUG, with the DDI implemented by a function of another name`, async () => {
      let text = readFileSync(buggyDriver(rule), 'utf8').replace("'../reference/driver'", JSON.stringify(join(ROOT, 'samples', 'drivers', 'reference', 'driver')));
      for (const [ddi, name] of Object.entries(renamed)) {
        text = text.replace(`function ${ddi}(`, `function ${name}(`).replace(new RegExp(`([{,]\\s*)${ddi}(\\s*[,}])`), `$1${ddi}: ${name}$2`);
      }
      assert.ok(!/function DxgkDdi/.test(text), 'every DDI function renamed');
      const file = join(dir, `${rule}.ts`);
      writeFileSync(file, text);
      const run = await runSample(file, BUGGY[rule]);
      const err = run.result.error!;
      assert.equal(err.rule, rule, err.message);
      assert.equal(err.location?.file, file, err.message);
      assert.equal(err.location!.line, guiltyLine(file), err.message);
    });
  }
});

describe('verifier: build-loop-limit names the line that threw the progress away, else the `return` that asked for another call', () => {
  // The sample's line sets MultipassOffset back (tested above). A driver that keeps no progress at
  // all, or one that never finishes without repeating itself, sets nothing back: its `return` of
  // STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER is what made VidMm call again.
  const dir = tempDir('build-loop-');
  const header = `import { DXGK_OPERATION_TRANSFER, DXGK_OPERATION_FILL, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry } from ${JSON.stringify(join(ROOT, 'samples', 'drivers', 'reference', 'driver'))};
let reference: DRIVER_INITIALIZATION_DATA;
export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer: buildPaging };
  return status;
}
`;
  const cases = {
    // Writes the first copy of the transfer on every call, whatever MultipassOffset says: a repeat.
    'keeps no progress': {
      scenario: 'multipass',
      body: `function buildPaging(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation !== DXGK_OPERATION_TRANSFER || args.Transfer.TransferSize <= 64 * 1024) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  while (args.DmaSize >= 64) {
    const n = writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'nop', []);
    args.pDmaBuffer.Offset += n;
    args.DmaSize -= n;
  }
  return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER; // BUG: never done, never further
}
`,
    },
    // Counts MultipassOffset up by one a call and never finishes: no two calls alike, the call limit.
    'never finishes': {
      scenario: 'default',
      body: `function buildPaging(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation !== DXGK_OPERATION_FILL) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  args.MultipassOffset++;
  args.pDmaBuffer.Offset += writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'nop', []);
  return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER; // BUG: asks for another call, forever
}
`,
    },
  };
  for (const [what, c] of Object.entries(cases)) {
    it(`a driver that ${what}: at its \`return\``, async () => {
      const file = join(dir, `${what.replace(/ /g, '-')}.ts`);
      writeFileSync(file, header + c.body);
      const run = await runSample(file, c.scenario);
      const err = run.result.error!;
      assert.equal(err.rule, 'build-loop-limit', err.message);
      assert.equal(err.location?.file, file, err.message);
      assert.equal(err.location!.line, guiltyLine(file), err.message);
      assert.match(err.message, /in DxgkDdiBuildPagingBuffer at .*:\d+:/, 'the DDI as a second location');
    });
  }
});

describe('verifier: cpu-view-changed-on-eviction names the line of the instruction that wrote the first byte that differs', () => {
  // The eviction is unswizzled correctly, then one page is copied again as it lies in the segment:
  // every byte that differs was written last by that `copy`, not by the reference's `unswizzle`.
  it('a correct unswizzle followed by a raw copy of one page: at the copy', async () => {
    const file = join(tempDir('eviction-line-'), 'one-raw-page.ts');
    writeFileSync(
      file,
      `import { DXGK_OPERATION_TRANSFER, PAGE_SIZE, STATUS_SUCCESS, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { instructionSize, mdlLocation, segmentLocation, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry } from ${JSON.stringify(join(ROOT, 'samples', 'drivers', 'reference', 'driver'))};
let reference: DRIVER_INITIALIZATION_DATA;
export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer: buildPaging };
  return status;
}
function buildPaging(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  const status = reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  if (status !== STATUS_SUCCESS || args.Operation !== DXGK_OPERATION_TRANSFER) return status;
  const t = args.Transfer;
  if (t.Destination.SegmentId !== 0 || (t.hAllocation as { swizzled?: boolean } | null)?.swizzled !== true || t.TransferSize < 2 * PAGE_SIZE || args.DmaSize < instructionSize('copy')) return status;
  const p = args.pDmaBuffer;
  const n = writeInstruction(p.Bytes, p.Offset, 'copy', [mdlLocation(t.Destination.pMdl!.PageListPhysicalAddress, t.MdlOffset * PAGE_SIZE + PAGE_SIZE), segmentLocation(t.Source.SegmentId, t.Source.SegmentAddress + t.TransferOffset + PAGE_SIZE), PAGE_SIZE]); // BUG: the second page again, as it lies
  p.Offset += n;
  args.DmaSize -= n;
  return status;
}
`,
    );
    const run = await runSample(file, 'cpu-access');
    const err = run.result.error!;
    assert.equal(err.rule, 'cpu-view-changed-on-eviction', err.message);
    assert.match(err.message, /byte (409[6-9]|4[1-9]\d\d|[5-7]\d\d\d|8[01]\d\d) read/, 'the first difference is in the page copied raw');
    assert.match(err.message, /by the `copy` the driver wrote for byte/);
    assert.equal(err.location?.file, file, err.message);
    assert.equal(err.location!.line, guiltyLine(file), err.message);
    assert.match(err.message, /in DxgkDdiBuildPagingBuffer at .*:\d+:/, 'the DDI as a second location');
  });
});
