import react from "@vitejs/plugin-react";
import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export const ENTRIES = ["app", "customer-widget", "order-widget", "product-widget", "home-widget"] as const;

// Built into the plugin package so the wheel carries it; the plugin serves each
// page at .../dashboard/<name> and its files at .../dashboard/assets/, hence
// relative asset URLs.
export const OUT_DIR = resolve(__dirname, "../saleor_crm_plugin/static/saleor_crm_plugin/dashboard");

export default defineConfig({
  base: "./",
  plugins: [react()],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // The shared vendor chunk (React, macaw-ui, bridge) is ~550 kB raw; the budget that matters is
    // gzipped initial JS per page, which scripts/report-bundle-sizes.mjs checks.
    chunkSizeWarningLimit: 600,
    target: "es2020",
    rollupOptions: {
      input: Object.fromEntries(ENTRIES.map((name) => [name, resolve(__dirname, `${name}.html`)])),
      output: {
        // React, macaw-ui and the bridge in one chunk every page shares (and the browser caches).
        manualChunks: (id) =>
          /node_modules\/(react|react-dom|scheduler|@saleor\/macaw-ui|@saleor\/app-sdk)\//.test(id) ? "vendor" : undefined,
      },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
