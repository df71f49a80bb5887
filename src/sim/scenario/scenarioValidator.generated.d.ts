// The type of scenarioValidator.generated.js (scripts/gen-validators.ts writes it): ajv's
// validate function for schemas/scenario.schema.json, its errors left on the function.
import type { ErrorObject } from 'ajv';

declare const validate: {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
};
export default validate;
