// The benchmark suites `npm run bench` runs, in order. Each layer adds its own file.

import type { Suite } from './suite';

export const suites: Suite[] = [];
