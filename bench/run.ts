// `npm run bench -- [--json FILE] [--runs N] [--warmup N] [--only conv3x3,dense] [--no-io] [--no-models] [--no-kernels]`
//
// Serves the project with a dedicated Vite dev server (root '.', so the page imports the kernels
// and onnxruntime-web from node_modules, and ort-web fetches its wasm files from
// node_modules/onnxruntime-web/dist), opens bench/index.html in headless Chromium with WebGPU,
// runs the page's benchmark, prints the table and writes the JSON report.
// Not part of `npm test`: it measures, it does not check.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { chromiumLaunchOptions } from './chromium.js';
import type { BenchOptions } from './bench-page.js';
import { type BenchReport, formatTable } from './bench-report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The whole run (compiles, ten runs of every case on SwiftShader) must end within this. */
const PAGE_TIMEOUT_MS = 15 * 60_000;

interface Args {
  json?: string;
  options: BenchOptions;
}

function parseArgs(argv: string[]): Args {
  let json: string | undefined;
  let runs = 10;
  let warmup = 2;
  let only: string[] | undefined;
  let io = true;
  let models = true;
  let kernels = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') json = value();
    else if (a === '--runs') runs = Number(value());
    else if (a === '--warmup') warmup = Number(value());
    else if (a === '--only') only = value().split(',');
    else if (a === '--no-io') io = false;
    else if (a === '--no-models') models = false;
    else if (a === '--no-kernels') kernels = false;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup must be a non-negative integer');
  return { json, options: { runs, warmup, only, io, models, kernels } };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = await createServer({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    clearScreen: false,
    // ort-web ships prebuilt ES modules that load their own wasm: serve them as they are.
    // Scan only the bench page for dependencies, so no late discovery reloads the page mid-run.
    optimizeDeps: { exclude: ['onnxruntime-web'], entries: ['bench/index.html'] },
    server: {
      // Others edit the tree while this runs: a file watcher would reload the page mid-benchmark.
      watch: null,
      hmr: false,
      host: '127.0.0.1',
      port: 5190,
      strictPort: false,
      // Cross-origin isolation, so ort-web's wasm EP may use threads (SharedArrayBuffer).
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('vite did not report a URL');
  const browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.text().startsWith('[bench]')) console.log(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) console.log(`HTTP ${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    await page.goto(new URL('bench/index.html', base).href);
    await page.waitForFunction(() => window.qplayBench !== undefined, undefined, { timeout: 120_000 });
    const report: BenchReport = await page.evaluate((o) => window.qplayBench!.run(o), args.options);
    console.log(
      `\nadapter: ${report.adapter}  (dot4I8Packed: ${report.dot4I8Packed}, wasm threads: ${report.wasmThreads})`,
    );
    console.log(
      `median of ${report.runs} runs after ${report.warmup} warm-up runs (with IO: ${report.io_runs} runs), contenders interleaved\n`,
    );
    console.log(formatTable(report));
    if (args.json) {
      writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`\nwrote ${args.json}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
