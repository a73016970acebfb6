import { defineConfig } from "vite";

// Preact through the JSX automatic runtime: no framework plugin needed. Everything is bundled
// into dist/ (no CDN); the orchestrator serves it under /console/.
export default defineConfig({
  base: "/console/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
});
