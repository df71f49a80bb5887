// A JSON schema of the Debug Adapter Protocol, generated from @vscode/debugprotocol's typings with
// ts-json-schema-generator, and an ajv validator that checks each message the adapter sends against
// the type its command or event names (StackTraceResponse, StoppedEvent, ...). Generation takes a
// few seconds, so the schema is cached in the OS temp folder keyed by the two packages' versions.
//
// The typings carry the required fields and the enumerations, not the numeric constraints of the
// specification's own JSON schema (`seq` and `request_seq` start at 1, references are never
// negative, ids are 32-bit integers, lines and memory counts are safe integers...). SPEC_CONSTRAINTS
// writes those down here, by property name, and they are added to every definition that has the
// property, so the protocol tests catch what the specification forbids.

import Ajv, { ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

type Schema = { definitions: Record<string, unknown> };

function version(pkg: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
}

const INT32 = { type: 'number', multipleOf: 1, minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
const UINT32 = { type: 'number', multipleOf: 1, minimum: 0, maximum: 2 ** 32 - 1 };
const UINT64 = { type: 'number', multipleOf: 1, minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
const INT64 = { type: 'number', multipleOf: 1, minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };
const REFERENCE = { type: 'number', multipleOf: 1, minimum: 0, maximum: 2 ** 31 - 1 };

/**
 * The specification's numeric constraints, by property name (the same in every message that has the
 * property). Integers are numbers that are a multiple of 1, so a string still fails as "must be number".
 */
export const SPEC_CONSTRAINTS: Record<string, object> = {
  seq: { type: 'number', multipleOf: 1, minimum: 1, maximum: 2 ** 31 - 1 },
  request_seq: { type: 'number', multipleOf: 1, minimum: 1, maximum: 2 ** 31 - 1 },
  requestId: { type: 'number', multipleOf: 1, minimum: 1, maximum: 2 ** 31 - 1 },
  threadId: INT32,
  frameId: INT32,
  stackFrameId: INT32,
  hitBreakpointIds: { type: 'array', items: INT32 },
  exitCode: INT32,
  id: INT32,
  variablesReference: REFERENCE,
  namedVariables: REFERENCE,
  indexedVariables: REFERENCE,
  sourceReference: REFERENCE,
  line: UINT64,
  column: UINT64,
  endLine: UINT64,
  endColumn: UINT64,
  totalFrames: UINT32,
  startFrame: UINT32,
  levels: UINT32,
  start: UINT32,
  length: UINT32,
  selectionStart: UINT32,
  selectionLength: UINT32,
  bytesWritten: UINT32,
  unreadableBytes: UINT64,
  count: UINT64,
  offset: INT64,
  instructionOffset: INT64,
  instructionCount: UINT32,
  percentage: { type: 'number', minimum: 0, maximum: 100 },
};

/** Adds SPEC_CONSTRAINTS to every numeric property of that name. */
function constrain(schema: Schema): Schema {
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const o = node as Record<string, unknown>;
    const props = o.properties as Record<string, Record<string, unknown>> | undefined;
    if (props) {
      for (const [name, prop] of Object.entries(props)) {
        const c = Object.prototype.hasOwnProperty.call(SPEC_CONSTRAINTS, name) ? SPEC_CONSTRAINTS[name] : undefined;
        // Only where the typings say number (or an array of numbers): a property of the same name and another type is another thing.
        const numeric = prop.type === 'number' || (prop.type === 'array' && (prop.items as { type?: string } | undefined)?.type === 'number');
        if (c && numeric) {
          const description = prop.description;
          for (const k of Object.keys(prop)) delete prop[k];
          Object.assign(prop, c, description === undefined ? {} : { description });
        }
      }
    }
    for (const v of Object.values(o)) visit(v);
  };
  const copy = JSON.parse(JSON.stringify(schema)) as Schema;
  visit(copy.definitions);
  return copy;
}

export function generateProtocolSchema(): Schema {
  const typings = join(dirname(require.resolve('@vscode/debugprotocol/package.json')), 'lib', 'debugProtocol.d.ts');
  const key = `dap-${version('@vscode/debugprotocol')}-tsjsg-${version('ts-json-schema-generator')}`;
  const cache = join(tmpdir(), 'paging-lab-test-cache', `${key}.schema.json`);
  if (existsSync(cache)) {
    try {
      return JSON.parse(readFileSync(cache, 'utf8')) as Schema;
    } catch {
      // fall through and regenerate
    }
  }
  const generator = createGenerator({
    path: typings,
    type: '*',
    skipTypeCheck: true,
    expose: 'export',
    topRef: true,
    additionalProperties: false,
  });
  const schema = generator.createSchema('*') as Schema;
  mkdirSync(dirname(cache), { recursive: true });
  writeFileSync(cache, JSON.stringify(schema));
  return schema;
}

export interface MessageValidator {
  /** Null if `message` is a valid DAP message of its kind, else the problems. */
  problems(message: unknown): string | null;
  /** The schema type a message is checked against. */
  typeFor(message: { type?: string; command?: string; event?: string; success?: boolean }): string;
}

let cached: MessageValidator | undefined;

export function protocolValidator(): MessageValidator {
  if (cached) return cached;
  const schema = constrain(generateProtocolSchema());
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(schema, 'dap');
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (type: string): ValidateFunction => {
    let v = compiled.get(type);
    if (!v) {
      v = ajv.compile({ $ref: `dap#/definitions/${type}` });
      compiled.set(type, v);
    }
    return v;
  };
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(schema.definitions, name);
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  const typeFor: MessageValidator['typeFor'] = (m) => {
    if (m.type === 'response') {
      if (m.success === false) return 'DebugProtocol.ErrorResponse';
      const t = `DebugProtocol.${cap(m.command ?? '')}Response`;
      return has(t) ? t : 'DebugProtocol.Response';
    }
    if (m.type === 'event') {
      const t = `DebugProtocol.${cap(m.event ?? '')}Event`;
      return has(t) ? t : 'DebugProtocol.Event';
    }
    if (m.type === 'request') return 'DebugProtocol.Request';
    return 'DebugProtocol.ProtocolMessage';
  };
  cached = {
    typeFor,
    problems(message) {
      if (typeof message !== 'object' || message === null) return 'a message must be a JSON object';
      const type = typeFor(message as Parameters<typeof typeFor>[0]);
      const v = validatorFor(type);
      if (v(message)) return null;
      return `${type}: ${ajv.errorsText(v.errors, { dataVar: 'message' })}`;
    },
  };
  return cached;
}
