// End to end: the release build in dist/, served by the Makefile on 127.0.0.1, driven
// in Debian's headless Chromium. Run by `make e2e` (or `node --test e2e/` with E2E_URL
// set). Each test saves a screenshot under target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  URL_UNDER_TEST, launch, status, waitForLeader, screenshot, recordMetrics, nodePositions,
} from "./lib.mjs";

let b, page;

before(async () => {
  b = await launch();
  page = b.page;
  await page.goto(URL_UNDER_TEST);
  await page.locator("canvas#cluster").waitFor();
});

after(async () => {
  await b?.close();
});

test("the page loads and a leader appears", async () => {
  assert.equal(await page.title(), "KRaftScope");
  const s = await waitForLeader(page, 10000);
  assert.ok(s.leader >= 1 && s.leader <= 3, JSON.stringify(s));
  const m = await page.evaluate(() => window.__kraftscope);
  assert.ok(m.firstPaintMs > 0 && m.leaderMs >= m.firstPaintMs, JSON.stringify(m));
  await recordMetrics({ firstCanvasFrameMs: Math.round(m.firstPaintMs), timeToLeaderMs: Math.round(m.leaderMs) });
  const names = await page.locator(".node-list button .name").allTextContents();
  assert.deepEqual(names, ["Controller 1", "Controller 2", "Controller 3", "Broker 4", "Broker 5"]);
  await page.waitForTimeout(700); // let some replication show
  await screenshot(page, "01-leader.png");
});

test("crashing the leader through the UI gives a new leader in a higher epoch", async () => {
  const before = await waitForLeader(page);
  await page.locator(`button[data-node="${before.leader}"]`).click();
  await page.getByRole("button", { name: `Crash Controller ${before.leader}` }).click();
  const after = await waitForLeader(page, 15000, before.leader);
  assert.notEqual(after.leader, before.leader);
  assert.ok(after.epoch > before.epoch, `${after.epoch} > ${before.epoch}`);
  const crashed = await page.locator(`button[data-node="${before.leader}"]`).getAttribute("data-state");
  assert.equal(crashed, "stopped");
  await screenshot(page, "02-new-leader.png");
  // Bring it back for the next tests.
  await page.getByRole("button", { name: `Restart Controller ${before.leader}` }).click();
  await page.keyboard.press("Escape");
});

test("dragging a node into empty space isolates it and a fault marker appears", async () => {
  const s = await waitForLeader(page);
  const markersBefore = await page.locator(".marker.fault").count();
  const pos = await nodePositions(page);
  const from = pos[s.leader];
  const box = await page.locator("canvas#cluster").boundingBox();
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(box.x + 30, box.y + box.height - 30, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction((n) => document.querySelectorAll(".marker.fault").length > n, markersBefore);
  const text = await page.locator(".events").textContent();
  assert.match(text, new RegExp(`Controller ${s.leader} is cut off from every other node`));
  // The isolated leader loses its quorum; someone else leads a higher epoch.
  const after = await waitForLeader(page, 15000, s.leader);
  assert.ok(after.epoch > s.epoch);
  await screenshot(page, "03-isolated.png");
  // A node-to-node drag cuts one link (both ways) and is drawn.
  const p2 = await nodePositions(page);
  await page.mouse.move(p2[4].x, p2[4].y);
  await page.mouse.down();
  await page.mouse.move(p2[5].x, p2[5].y, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => /A link from broker 4 is cut/.test(document.querySelector(".events").textContent));
  await page.locator("#heal").click();
});

test("seeking back shows the earlier state, and forward the later one", async () => {
  await page.locator("#play").click(); // pause
  const head = await status(page);
  assert.ok(head.leader);
  const scrub = page.locator("#scrubber");
  await scrub.evaluate((el) => {
    el.value = "300";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector("#status").dataset.timeMs === "300");
  const early = await status(page);
  assert.equal(early.live, false);
  assert.equal(early.leader, null, "no leader 300 ms into the run");
  await screenshot(page, "04-seek-back.png");
  await page.locator("#go-live").click();
  await page.waitForFunction(() => document.querySelector("#status").dataset.live === "true");
  const later = await status(page);
  assert.ok(later.timeMs >= head.timeMs && later.leader, JSON.stringify(later));
  await screenshot(page, "05-seek-forward.png");
});

test("acting in the past forks a branch and keeps the old one", async () => {
  const scrub = page.locator("#scrubber");
  await scrub.evaluate((el) => {
    el.value = "2500";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.waitForFunction(() => document.querySelector("#status").dataset.live === "false");
  await page.locator("#append-10").click();
  await page.waitForFunction(() => document.querySelector("#status").dataset.branch === "1");
  const options = await page.locator("#branch option").allTextContents();
  assert.equal(options.length, 2, options.join());
  await screenshot(page, "06-branch.png");
});

test("keyboard alone plays, pauses and steps", async () => {
  await page.locator("body").click({ position: { x: 5, y: 5 } }).catch(() => {});
  await page.keyboard.press("Escape");
  await page.evaluate(() => document.activeElement?.blur());
  const playing = async () => (await page.locator("#play").textContent()).includes("Pause");
  if (!(await playing())) await page.keyboard.press(" ");
  assert.equal(await playing(), true);
  await page.keyboard.press(" ");
  assert.equal(await playing(), false);
  const t0 = (await status(page)).timeMs;
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((t) => Number(document.querySelector("#status").dataset.timeMs) > t, t0);
  await page.keyboard.press("?");
  await page.getByRole("dialog").waitFor();
  await screenshot(page, "07-help.png");
  await page.keyboard.press("Escape");
  assert.equal(await page.getByRole("dialog").count(), 0);
  await page.keyboard.press(" ");
  assert.equal(await playing(), true);
});

test("nothing left 127.0.0.1 and nothing logged an error", () => {
  const outside = b.requests.filter((u) => !u.startsWith("http://127.0.0.1:"));
  assert.deepEqual(outside, []);
  assert.deepEqual(b.errors, []);
});
