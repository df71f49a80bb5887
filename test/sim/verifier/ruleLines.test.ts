// Each rule points at the buggy sample's own guilty line: the line that ends in `// BUG` (a write to
// an input, the instruction written into the paging buffer that broke the rule, or the `return` of
// a rule judged at the return), found
// through the driver's source map, not the DDI's declaration. The rules that still point at the
// DDI's implementation are listed with why; each of them is checked to point there, so a change in
// either direction shows here.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_IDS, type RuleId } from '../../../src/sim/verifier/rules';
import { tempDir } from '../../setup';
import { BUGGY, buggyDriver, ROOT, runSample } from './helpers';

/** Rules whose report is still at the DDI's implementation, and why. */
const AT_THE_DDI: Partial<Record<RuleId, string>> = {
  'cpu-view-changed-on-eviction': 'seen by the kernel after the eviction ran on the GPU, calls later',
};

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
    const why = AT_THE_DDI[rule];
    it(why ? `${rule}: at the DDI's implementation (${why})` : `${rule}: at the line marked // BUG in its sample`, async () => {
      const file = buggyDriver(rule);
      const run = await runSample(file, BUGGY[rule]);
      const err = run.result.error!;
      assert.equal(err.rule, rule, err.message);
      assert.equal(err.location?.file, file, err.message);
      if (why) {
        assert.equal(err.location!.line, ddiLine(file, err.ddi!), err.message);
        return;
      }
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
