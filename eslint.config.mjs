// Lint configuration: typescript-eslint's recommended rules over the sources, tests and scripts, and
// the layers of src/ as a rule (docs/architecture.md draws them).
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

// The layers of src/: each folder and the folders of the project it may import. Everything points
// down, toward `isa`; nothing imports upward or sideways. `debugger/` is its own program (the debug
// adapter, a separate process), so the layers above it (the extension, the command line) take only
// its plain-data faces: the launch table and the custom requests' shapes. The extension starts the
// language server as a program too, and imports none of it. `media/src` is the webview's script (a
// browser bundle): it may use `isa`, which therefore stays free of Node's built-ins.
const LAYERS = {
  isa: [],
  sim: ['isa'],
  host: ['sim', 'isa'],
  debugger: ['host', 'sim', 'isa'],
  language: ['isa'],
  cli: ['debugger/launchAttributes', 'host', 'sim', 'isa'],
  extension: ['debugger/launchAttributes', 'debugger/customRequests', 'isa', 'media'],
  media: ['isa'],
};
// The libraries that belong to one layer: the VS Code API to the extension, DAP to the debug
// adapter (its message types to the extension as well), LSP to the language server and its client.
const LIBRARIES = {
  vscode: ['extension'],
  'vscode-languageclient': ['extension'],
  '@vscode/debugadapter': ['debugger'],
  '@vscode/debugprotocol': ['debugger', 'extension'],
  'vscode-languageserver': ['language'],
  'vscode-languageserver-textdocument': ['language'],
};
const FOLDERS = Object.keys(LAYERS);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * One block per layer and folder depth: no-restricted-imports matches the import's text, so a file
 * two folders down reaches another layer by `../../<layer>`. `media` lives beside `src`, so its
 * script reaches `src/isa` by `../../src/isa`.
 */
function layerRules() {
  const blocks = [];
  for (const [layer, allowed] of Object.entries(LAYERS)) {
    const base = layer === 'media' ? 'media/src' : `src/${layer}`;
    const others = FOLDERS.filter((f) => f !== layer);
    const paths = Object.entries(LIBRARIES)
      .filter(([, users]) => !users.includes(layer))
      .map(([name, users]) => ({ name, message: `only ${users.map((u) => `src/${u}`).join(' and ')} may use ${name}.` }));
    const libraryPatterns = Object.entries(LIBRARIES)
      .filter(([, users]) => !users.includes(layer))
      .map(([name, users]) => ({ regex: `^${escape(name)}/`, message: `only ${users.map((u) => `src/${u}`).join(' and ')} may use ${name}.` }));
    const nodePatterns = layer === 'isa' || layer === 'media'
      ? [{ regex: '^node:', message: `${base} runs in the webview too: no Node built-ins.` }]
      : [];
    const says = allowed.length ? `${base} may import only ${allowed.map((a) => (a === 'media' ? 'media/src' : `src/${a}`)).join(', ')}` : `${base} imports nothing of the project`;
    for (let depth = 0; depth <= 3; depth++) {
      // From `<base>/a/b/file.ts` the folder above `<base>` is `../../../`; from media, `src/` is one more step.
      const up = '\\.\\./'.repeat(depth + 1);
      const toLayer = (f) => (f === 'media' ? (layer === 'media' ? null : `${up}\\.\\./media/src`) : layer === 'media' ? `${up}\\.\\./src/${f}` : `${up}${f}`);
      const patterns = [];
      for (const other of others) {
        const prefix = toLayer(other);
        const faces = allowed.filter((a) => a.startsWith(`${other}/`)).map((a) => a.slice(other.length + 1));
        if (allowed.includes(other)) continue;
        const rest = faces.length ? `(?!/(${faces.map(escape).join('|')})$)(/|$)` : '(/|$)';
        patterns.push({ regex: `^${prefix}${rest}`, message: `${says} (the layers: docs/architecture.md).` });
      }
      blocks.push({
        files: [`${base}/${'*/'.repeat(depth)}*.ts`],
        rules: { 'no-restricted-imports': ['error', { paths, patterns: [...patterns, ...libraryPatterns, ...nodePatterns] }] },
      });
    }
  }
  return blocks;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.e2e-cache/**', '.bench-cache/**', 'out/**', 'test-results/**', '**/*.d.ts'] },
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
  ...layerRules(),
);
