import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The API server (`llmore up`) serves this folder at "/": hashed files under /assets are cached
// for a year and every other non-API path falls back to index.html for client-side routing.
const outDir = fileURLToPath(new URL("../src/llmore/static/console", import.meta.url));

// `npm run dev` proxies API calls to a local `llmore up --port 8123` so cookies stay same-origin.
const apiTarget = process.env.LLMORE_API ?? "http://127.0.0.1:8123";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // Big libraries in their own long-lived chunks: a console release that only changes
        // our code leaves them cached, and pages that need no charts never load ECharts.
        codeSplitting: {
          groups: [
            { name: "echarts", test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 3 },
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 2 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/healthz": { target: apiTarget },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
