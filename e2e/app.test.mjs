// End to end: the release build in dist/, served by the Makefile on 127.0.0.1, driven
// in Debian's headless Chromium. Run by `make test` (or `node --test e2e/` with
// E2E_URL set). Playwright never downloads a browser here: playwright-core plus
// executablePath, and flags that keep Chromium from calling out to Google.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const URL_UNDER_TEST = process.env.E2E_URL;
const SCREENSHOT = path.resolve("target/e2e/app.png");
const CHROMIUM_ARGS = [
  "--no-sandbox", // root in a container has no user namespace for the sandbox
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let profileDir, context, page;
const consoleErrors = [];
const requests = [];

before(async () => {
  assert.ok(URL_UNDER_TEST, "E2E_URL must point at the served dist/ (make test sets it)");
  profileDir = await mkdtemp(path.join(tmpdir(), "kraftscope-e2e-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 750 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => msg.type() === "error" && consoleErrors.push(msg.text()));
  page.on("pageerror", (err) => consoleErrors.push(String(err)));
  page.on("request", (req) => requests.push(req.url()));
  await page.goto(URL_UNDER_TEST);
  await page.locator("canvas#cluster").waitFor();
});

after(async () => {
  await context?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

test("the app mounts: title, header, canvas and side panel", async () => {
  assert.equal(await page.title(), "KRaftScope");
  assert.equal(await page.locator("header h1").textContent(), "KRaftScope");
  const items = await page.locator("aside.panel li").allTextContents();
  assert.deepEqual(items, ["Controller 1", "Controller 2", "Controller 3"]);
});

test("the canvas fills the main area", async () => {
  const main = await page.locator("main").boundingBox();
  const canvas = await page.locator("canvas#cluster").boundingBox();
  assert.ok(canvas.width > 400 && canvas.height > 300, JSON.stringify(canvas));
  assert.ok(Math.abs(canvas.width - main.width) <= 1, `${canvas.width} vs ${main.width}`);
  assert.ok(Math.abs(canvas.height - main.height) <= 1, `${canvas.height} vs ${main.height}`);
});

// Reads the canvas back: how many pixels differ from the corner (background) pixel,
// and a cheap hash of the whole image to tell two frames apart.
const readCanvas = () =>
  page.evaluate(() => {
    const c = document.querySelector("canvas#cluster");
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let differing = 0;
    let hash = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) differing++;
      hash = (hash * 31 + data[i] + data[i + 1] * 7 + data[i + 2] * 13) | 0;
    }
    return { differing, hash, width: c.width, height: c.height };
  });

test("the canvas is painted and keeps being redrawn", async () => {
  await page.waitForFunction(() => {
    const c = document.querySelector("canvas#cluster");
    return c.width > 300 && c.getContext("2d").getImageData(0, 0, 1, 1).data[3] === 255;
  });
  const first = await readCanvas();
  assert.ok(first.differing > 1000, `only ${first.differing} non-background pixels`);
  await page.waitForTimeout(300); // the pulse dot moves round the ring every frame
  const later = await readCanvas();
  assert.notEqual(later.hash, first.hash, "the canvas did not change between frames");
});

test("nothing left 127.0.0.1 and nothing logged an error", () => {
  const outside = requests.filter((u) => !u.startsWith("http://127.0.0.1:"));
  assert.deepEqual(outside, []);
  assert.deepEqual(consoleErrors, []);
});

test("screenshot saved under target/e2e/", async () => {
  await mkdir(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  console.log(`screenshot: ${SCREENSHOT}`);
});
