// The type of recordingValidator.generated.js (scripts/gen-validators.ts writes it): ajv's validate
// function for the recording file's schema (./schema.ts), its errors left on the function.
import type { ErrorObject } from 'ajv';

declare const validate: {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
};
export default validate;
