// A JSON schema of the Debug Adapter Protocol, generated from @vscode/debugprotocol's typings with
// ts-json-schema-generator, and an ajv validator that checks each message the adapter sends against
// the type its command or event names (StackTraceResponse, StoppedEvent, ...). Generation takes a
// few seconds, so the schema is cached in the OS temp folder keyed by the two packages' versions.

import Ajv, { ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

type Schema = { definitions: Record<string, unknown> };

function version(pkg: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
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
  const schema = generateProtocolSchema();
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
