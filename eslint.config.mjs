// Lint configuration: typescript-eslint's recommended rules over the sources, tests and scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Plain JavaScript (the build and test scripts) runs on Node: every global that Node itself defines
// (fetch, URL, timers, TextDecoder...), plus CommonJS's module variables. TypeScript files are
// checked for undefined names by the compiler, so `no-undef` does not apply to them.
const nodeGlobals = Object.fromEntries(
  [...Object.getOwnPropertyNames(globalThis), 'require', 'module', 'exports', '__dirname', '__filename'].map((n) => [n, 'readonly']),
);
// Scripts that run in a browser (webviews) when written in plain JavaScript.
const browserGlobals = Object.fromEntries(
  ['window', 'document', 'navigator', 'acquireVsCodeApi', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame',
    'HTMLElement', 'HTMLCanvasElement', 'KeyboardEvent', 'MouseEvent', 'ResizeObserver', 'MessageEvent']
    .map((n) => [n, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.e2e-cache/**', 'out/**', 'test-results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // A driver project references the shipped DDI typings file the way a user's own project would.
    files: ['samples/**/*.ts'],
    rules: { '@typescript-eslint/triple-slash-reference': ['error', { path: 'always', types: 'prefer-import', lib: 'always' }] },
  },
  {
    files: ['media/**/*.js', 'media/**/*.mjs'],
    languageOptions: { globals: browserGlobals },
  },
);
