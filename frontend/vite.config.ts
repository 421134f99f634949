/// <reference types="vitest/config" />
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

/**
 * The page's CSP allows no inline script. In dev, Vite and the React plugin inject inline module scripts
 * (the Fast Refresh preamble); this adds each one's sha256 to script-src so the dev page runs under the same
 * strict policy instead of a relaxed one. Production builds have no inline scripts and are left alone.
 */
function cspHashInlineScripts(): Plugin {
  return {
    name: "tonnytray-csp-inline-script-hashes",
    apply: "serve",
    transformIndexHtml: {
      order: "post",
      handler(html) {
        const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
          .map((m) => m[1])
          .filter((body) => body.trim() !== "")
          .map((body) => `'sha256-${createHash("sha256").update(body).digest("base64")}'`);
        if (hashes.length === 0) return html;
        return html.replace(/(script-src 'self')/, `$1 ${hashes.join(" ")}`);
      },
    },
  };
}

/** Puts back dist/.gitkeep (committed, empty) after Vite empties dist: go:embed needs a file there. */
function keepGitkeep(): Plugin {
  return {
    name: "tonnytray-keep-gitkeep",
    apply: "build",
    closeBundle() {
      writeFileSync(resolve(__dirname, "dist/.gitkeep"), "");
    },
  };
}

export default defineConfig({
  plugins: [react(), cspHashInlineScripts(), keepGitkeep()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1200,
  },
  server: { strictPort: true },
  test: {
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    testTimeout: 60_000,
  },
});
