// The type of launchValidator.generated.js (scripts/gen-validators.ts writes it): ajv's validate
// function for the launch attributes' schema (launchAttributes.ts), its errors left on the function.
import type { ErrorObject } from 'ajv';

declare const validate: {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
};
export default validate;
