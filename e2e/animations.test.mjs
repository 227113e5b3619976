// End to end: a truncation after a diverging epoch flashes and fades in the Logs
// panel, and under prefers-reduced-motion it is shown without animation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { URL_UNDER_TEST, launch, waitForLeader, screenshot } from "./lib.mjs";

for (const reduced of [false, true]) {
  test(`an isolated leader's diverging tail is truncated and shown in the Logs panel${reduced ? " (reduced motion)" : ""}`, async () => {
    const b = await launch();
    try {
      const page = b.page;
      if (reduced) await page.emulateMedia({ reducedMotion: "reduce" });
      await page.goto(URL_UNDER_TEST);
      const s = await waitForLeader(page, 10000);
      // The isolated leader appends records nobody else gets; after the heal it
      // finds the diverging epoch and truncates them.
      await page.locator(`.node-list button[data-node="${s.leader}"]`).click();
      await page.getByRole("menuitem", { name: `Isolate Controller ${s.leader} from the network` }).click();
      await page.locator("#append-10").click();
      await waitForLeader(page, 15000, s.leader);
      await page.locator("#append-1").click();
      await page.locator("#heal").click();
      const tail = page.locator(".log-track .truncated");
      await tail.first().waitFor({ timeout: 15000 });
      const anim = await tail.first().evaluate((el) => getComputedStyle(el).animationName);
      assert.equal(anim, reduced ? "none" : "truncate-fade");
      assert.match(await tail.first().getAttribute("title"), /truncated \(diverging epoch\)$/);
      await page.locator("#play").click(); // pause so the screenshot shows it
      await screenshot(page, reduced ? "21-truncation-reduced-motion.png" : "20-truncation.png");
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
}
