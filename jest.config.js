// Tests run as native ES modules (the project is "type": "module" and Node 24 runs its .ts
// sources directly), so ts-jest only strips types; `npm run typecheck` is the type gate.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  // ts-jest rewrites './x.ts' to './x.js' (rewriteRelativeImportExtensions); map it back.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/run/', '<rootDir>/app/dist/'],
  testTimeout: 30_000,
};
