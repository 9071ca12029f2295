// ESLint flat config. `npm run lint` runs it together with Prettier (formatting) and dpdm (import cycles,
// type-only imports included: import-x/no-cycle skips `import type`, so it is not used here).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const root = import.meta.dirname;

/**
 * The layers, `cli → config → model → cfs | scsi → native`: each zone names what a directory
 * of src/ must not import. Top-level files of src/ other than index.ts (errors.ts) are shared by
 * every layer; index.ts is the public entry point and nothing inside src/ imports it.
 */
const layers = [
  { target: 'src/cli', from: ['src/index.ts'], message: 'src/cli loads what it needs itself, not the public barrel.' },
  { target: 'src/index.ts', from: ['src/cli'], message: 'The library entry point must not pull in the CLI.' },
  { target: 'src/config', from: ['src/cli', 'src/index.ts'], message: 'Layers: cli → config → model → cfs | scsi → native.' },
  { target: 'src/model', from: ['src/cli', 'src/config', 'src/index.ts'], message: 'Layers: cli → config → model → cfs | scsi → native.' },
  { target: 'src/cfs', from: ['src/cli', 'src/config', 'src/model', 'src/scsi', 'src/index.ts'], message: 'src/cfs may import only src/native and shared top-level files.' },
  { target: 'src/scsi', from: ['src/cli', 'src/config', 'src/model', 'src/cfs', 'src/index.ts'], message: 'src/scsi may import only src/native and shared top-level files.' },
  {
    target: 'src/native',
    from: ['src/cli', 'src/config', 'src/model', 'src/cfs', 'src/scsi', 'src/index.ts'],
    message: 'src/native imports nothing of ours but shared top-level files.',
  },
  {
    target: 'src/errors.ts',
    from: ['src/cli', 'src/config', 'src/model', 'src/cfs', 'src/scsi', 'src/native', 'src/index.ts'],
    message: 'Shared top-level files import no layer.',
  },
];

export default defineConfig(
  {
    ignores: ['dist/', 'build/', 'native/', 'prebuilds/', 'bench/out/', 'test/fixtures/', '.vm/', '.cache/', 'node_modules/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
    },
    rules: {
      // Type-aware rules that cost little and catch real bugs.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layers }],
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': 'error',
    },
  },
  {
    // Tests and benchmarks build malformed documents on purpose.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    // the command's entry is CommonJS (bin/package.json), so --version needs no ES module loader
    files: ['bin/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
