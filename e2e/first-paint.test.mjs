// First paint of the release build: each run opens the page in a fresh browser profile
// (cold cache, as a first visit) and reads the browser's own paint timings
// (performance.getEntriesByType("paint")) plus the app's first canvas frame. The
// medians go to target/e2e/bench.json. A measurement, not a timed test: the only
// assertion is a generous sanity bound that catches a page that never paints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { URL_UNDER_TEST, launch, recordMetrics, screenshot } from "./lib.mjs";

// FIRST_PAINT_RUNS=N takes more samples (for a before/after comparison).
const RUNS = Number(process.env.FIRST_PAINT_RUNS ?? 5);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]);
};

test(`first paint and first contentful paint, median of ${RUNS} cold loads`, async () => {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const b = await launch();
    try {
      await b.page.goto(URL_UNDER_TEST);
      // The app's first canvas frame comes after the wasm started: wait for it so
      // every paint entry exists.
      await b.page.waitForFunction(() => window.__kraftscope?.firstPaintMs > 0, null, { timeout: 30000 });
      const m = await b.page.evaluate(() => {
        const paint = Object.fromEntries(performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]));
        const nav = performance.getEntriesByType("navigation")[0];
        return {
          fp: paint["first-paint"],
          fcp: paint["first-contentful-paint"],
          canvas: window.__kraftscope.firstPaintMs,
          domContentLoaded: nav?.domContentLoadedEventEnd,
        };
      });
      runs.push(m);
      if (i === 0) {
        // What a first visit sees before the wasm is up is checked by eye here.
        await screenshot(b.page, "10-first-load.png");
      }
    } finally {
      await b.close();
    }
  }
  const result = {
    runs: RUNS,
    firstPaintMs: median(runs.map((r) => r.fp)),
    firstContentfulPaintMs: median(runs.map((r) => r.fcp)),
    firstCanvasFrameMs: median(runs.map((r) => r.canvas)),
    method: "median of cold loads (fresh profile each) in headless Chromium, performance.getEntriesByType('paint')",
  };
  console.log(`first paint: ${JSON.stringify(result)} (each run: ${JSON.stringify(runs.map((r) => [Math.round(r.fp), Math.round(r.fcp), Math.round(r.canvas)]))})`);
  for (const r of runs) assert.ok(r.fcp > 0 && r.fcp < 20000, `first contentful paint ${r.fcp} ms`);
  await recordMetrics({ firstPaint: result });
});
