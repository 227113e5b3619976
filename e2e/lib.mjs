// Shared set-up for the end-to-end tests: Debian's headless Chromium through
// playwright-core (never a downloaded browser), flags that keep it off the network,
// and helpers that read the page's status line and save screenshots and metrics.
import { mkdtemp, mkdir, rm, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const URL_UNDER_TEST = process.env.E2E_URL;
export const OUT = path.resolve("target/e2e");
const CHROMIUM_ARGS = [
  "--no-sandbox", // root in a container has no user namespace for the sandbox
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch(viewport = { width: 1280, height: 720 }) {
  if (!URL_UNDER_TEST) throw new Error("E2E_URL must point at the served dist/ (make e2e sets it)");
  const profileDir = await mkdtemp(path.join(tmpdir(), "kraftscope-e2e-"));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  const requests = [];
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("request", (req) => requests.push(req.url()));
  return {
    page,
    errors,
    requests,
    async close() {
      await context.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

export async function status(page) {
  return page.locator("#status").evaluate((el) => ({
    leader: el.dataset.leader ? Number(el.dataset.leader) : null,
    epoch: el.dataset.epoch ? Number(el.dataset.epoch) : null,
    timeMs: Number(el.dataset.timeMs),
    live: el.dataset.live === "true",
    branch: Number(el.dataset.branch),
  }));
}

export async function waitForLeader(page, timeout = 15000, not = null) {
  await page.waitForFunction(
    (not) => {
      const l = document.querySelector("#status")?.dataset.leader;
      return l && Number(l) !== not;
    },
    not,
    { timeout },
  );
  return status(page);
}

export async function screenshot(page, name) {
  await mkdir(OUT, { recursive: true });
  const file = path.join(OUT, name);
  await page.screenshot({ path: file });
  console.log(`screenshot: ${file}`);
  return file;
}

/// Merges `values` into target/e2e/bench.json.
export async function recordMetrics(values) {
  await mkdir(OUT, { recursive: true });
  const file = path.join(OUT, "bench.json");
  let current = {};
  try {
    current = JSON.parse(await readFile(file, "utf8"));
  } catch {}
  await writeFile(file, JSON.stringify({ ...current, ...values }, null, 2) + "\n");
}

/// Node centres on the canvas, in page coordinates.
export async function nodePositions(page) {
  const canvas = page.locator("canvas#cluster");
  const box = await canvas.boundingBox();
  const layout = await canvas.getAttribute("data-layout");
  const out = {};
  for (const part of layout.split(";").filter(Boolean)) {
    const [id, xy] = part.split(":");
    const [x, y] = xy.split(",").map(Number);
    out[Number(id)] = { x: box.x + x, y: box.y + y };
  }
  return out;
}
