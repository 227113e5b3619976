// The page at a phone's width: one column, nothing wider than the screen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { URL_UNDER_TEST, launch, waitForLeader, screenshot } from "./lib.mjs";

test("usable on a narrow mobile screen", async () => {
  const b = await launch({ width: 390, height: 844 });
  try {
    await b.page.goto(URL_UNDER_TEST);
    await waitForLeader(b.page, 10000);
    const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
    const canvas = await b.page.locator("canvas#cluster").boundingBox();
    assert.ok(canvas.width > 300 && canvas.height > 300, JSON.stringify(canvas));
    await screenshot(b.page, "08-mobile.png");
  } finally {
    await b.close();
  }
});
