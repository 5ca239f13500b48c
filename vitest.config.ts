import { defineConfig } from 'vitest/config';

// Three projects, one `npm test`: unit tests are pure and fast; integration tests start real components
// (SQLite, ONNX, GGUF, HTTP listeners); e2e tests drive the real CLI and server as a user would.
export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: more workers only make the native-model tests fight over them.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
