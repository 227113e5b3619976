// `?bench=frames`: 50 nodes on slow, duplicating links (thousands of messages in
// flight). Records frame script times (p50/p95) into target/e2e/bench.json. A
// measurement, not a timed test: it only checks the numbers exist.
import { test } from "node:test";
import assert from "node:assert/strict";
import { URL_UNDER_TEST, launch, screenshot, recordMetrics } from "./lib.mjs";

test("bench=frames records frame times with 50 nodes", async () => {
  const b = await launch({ width: 1280, height: 720 });
  try {
    await b.page.goto(`${URL_UNDER_TEST}?bench=frames`);
    await b.page.waitForFunction(() => (window.__kraftscope?.benchFrames ?? 0) >= 600, null, { timeout: 60000 });
    const m = await b.page.evaluate(() => window.__kraftscope);
    // Frame-to-frame intervals over 3 s: everything the page does (panel renders
    // included), not only the frame callback.
    const intervals = await b.page.evaluate(
      () =>
        new Promise((resolve) => {
          const out = [];
          let last = performance.now();
          const end = last + 3000;
          const tick = (t) => {
            out.push(t - last);
            last = t;
            if (t < end) requestAnimationFrame(tick);
            else resolve(out.slice(1).sort((a, b) => a - b));
          };
          requestAnimationFrame(tick);
        }),
    );
    const q = (p) => Math.round(intervals[Math.round((intervals.length - 1) * p)] * 10) / 10;
    const inFlight = Number((await b.page.locator(".timeline-meta").textContent()).match(/(\d+) messages in flight/)[1]);
    const nodes = await b.page.locator(".node-list li").count();
    assert.equal(nodes, 50);
    assert.ok(m.frameP95Ms > 0);
    await recordMetrics({
      bench: { nodes, messagesInFlight: inFlight, frames: m.benchFrames, frameP50Ms: m.frameP50Ms, frameP95Ms: m.frameP95Ms, frameMaxMs: m.frameMaxMs, frameIntervalP50Ms: q(0.5), frameIntervalP95Ms: q(0.95) },
    });
    console.log(`bench: ${nodes} nodes, ${inFlight} in flight, p50 ${m.frameP50Ms} ms, p95 ${m.frameP95Ms} ms`);
    await screenshot(b.page, "09-bench.png");
  } finally {
    await b.close();
  }
});
