// The recording file's format: its name and version, and its JSON schema. Kept apart from
// recording.ts so that scripts/gen-validators.ts can read the schema to generate the validator
// recording.ts imports.

export const RECORDING_FORMAT = 'paging-lab-recording';
export const RECORDING_FORMAT_VERSION = 1;

const fileSchema = {
  type: 'object',
  required: ['path', 'sha256'],
  properties: { path: { type: 'string', minLength: 1 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
};

export const RECORDING_SCHEMA = {
  type: 'object',
  required: ['format', 'formatVersion', 'tool', 'driver', 'scenario', 'seed', 'tdrDelayMs', 'verifier', 'edits'],
  properties: {
    format: { const: RECORDING_FORMAT },
    formatVersion: { type: 'integer' },
    tool: { type: 'object', required: ['name', 'version'], properties: { name: { const: 'paging-lab' }, version: { type: 'string' } } },
    driver: {
      type: 'object',
      required: ['entry', 'files'],
      properties: { entry: { type: 'string', minLength: 1 }, files: { type: 'array', minItems: 1, items: fileSchema } },
    },
    scenario: { ...fileSchema, required: [...fileSchema.required, 'name'], properties: { ...fileSchema.properties, name: { type: 'string' } } },
    seed: { type: 'integer', minimum: 0, maximum: 0xffffffff },
    tdrDelayMs: { type: 'number', exclusiveMinimum: 0 },
    verifier: { type: 'boolean' },
    edits: {
      type: 'array',
      items: {
        type: 'object',
        required: ['moment', 'kind'],
        properties: {
          moment: { type: 'integer', minimum: 0 },
          kind: { enum: ['writeMemory', 'setVariable'] },
          address: { type: 'integer', minimum: 0 },
          data: { type: 'string', pattern: '^([0-9a-fA-F]{2})*$' },
          path: { type: 'string' },
          value: { type: 'string' },
        },
        if: { properties: { kind: { const: 'writeMemory' } } },
        then: { required: ['address', 'data'] },
        else: { required: ['path', 'value'] },
      },
    },
    outcome: {
      type: 'object',
      required: ['ok'],
      properties: { ok: { type: 'boolean' }, events: { type: 'integer', minimum: 0 }, digest: { type: 'string' }, inputs: { type: 'string' }, error: { type: 'string' } },
    },
  },
} as const;
