import { defineConfig } from "vitest/config";

// The explorer is served by FastAPI at / (same origin as /graphql and /api), so the
// build uses relative asset paths and the dev server proxies the API to a running app.
const backend = process.env.VALUEGRAPH_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "./",
  // Panels written with Preact (src/ui/*.tsx): JSX compiles to its automatic runtime.
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      "/graphql": backend,
      "/api": backend,
      "/healthz": backend,
      "/openapi.json": backend,
    },
  },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
  },
});
