// Share and save end to end: the page's URL reproduces the run in a fresh browser, a
// malformed link or file says what is wrong and leaves the run as it was, and the setup
// form refuses a bad server.properties with Kafka's message and applies a good shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { URL_UNDER_TEST, launch, status, waitForLeader, screenshot } from "./lib.mjs";

/// The page's trace hash and view time (window.__kraftscope, refreshed ~10 times a second).
async function hooks(page) {
  // Two refreshes apart, so what is read is settled after the last action.
  await page.waitForTimeout(250);
  return page.evaluate(() => ({ hash: window.__kraftscope.traceHash, viewMs: window.__kraftscope.viewMs }));
}

async function pause(page) {
  if ((await page.locator("#play").textContent()).includes("Pause")) await page.locator("#play").click();
}

test("a shared URL opened in a fresh browser reproduces the same run", async () => {
  const a = await launch();
  const b = await launch();
  try {
    await a.page.goto(`${URL_UNDER_TEST}?seed=5`);
    const s = await waitForLeader(a.page, 15000);
    // Act: crash the leader, append, then pause a little later.
    await a.page.locator(`button[data-node="${s.leader}"]`).click();
    await a.page.getByRole("button", { name: `Crash Controller ${s.leader}` }).click();
    await waitForLeader(a.page, 15000, s.leader);
    await a.page.locator("#append-10").click();
    await a.page.waitForTimeout(500);
    await pause(a.page);
    const there = await hooks(a.page);
    const url = await a.page.evaluate(() => location.href);
    assert.match(url, /#v1\./, url);
    // The Share dialog shows the same link.
    await a.page.locator("#share-open").click();
    assert.equal(await a.page.locator("#share-link").inputValue(), url);
    await screenshot(a.page, "11-share-dialog.png");

    await b.page.goto(url);
    await b.page.waitForFunction((t) => window.__kraftscope?.viewMs === t, there.viewMs, { timeout: 30000 });
    const here = await hooks(b.page);
    assert.deepEqual(here, there);
    const sb = await status(b.page);
    assert.equal(sb.timeMs, there.viewMs);
    assert.ok(sb.leader && sb.leader !== s.leader, JSON.stringify(sb));
    assert.equal(await b.page.locator("#load-error").count(), 0);
    await screenshot(b.page, "12-shared-opened.png");
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
  } finally {
    await a.close();
    await b.close();
  }
});

test("a malformed URL says what is wrong and the default run goes on", async () => {
  const b = await launch();
  try {
    await b.page.goto(`${URL_UNDER_TEST}#v1.AAAA!!bad`);
    const error = b.page.locator("#load-error");
    await error.waitFor();
    assert.match(await error.textContent(), /Could not open the link: link: character 8 \('!'\) is not base64url.*unchanged/);
    const s = await waitForLeader(b.page, 15000);
    assert.ok(s.leader >= 1 && s.leader <= 3, JSON.stringify(s));
    const names = await b.page.locator(".node-list button .name").allTextContents();
    assert.deepEqual(names, ["Controller 1", "Controller 2", "Controller 3", "Broker 4", "Broker 5"]);
    await screenshot(b.page, "13-bad-link.png");
    await b.page.getByRole("button", { name: "Dismiss this message" }).click();
    assert.equal(await error.count(), 0);
  } finally {
    await b.close();
  }
});

test("a malformed scenario or trace file names where it is wrong and the run is untouched", async () => {
  const b = await launch();
  const dir = await mkdtemp(path.join(tmpdir(), "kraftscope-files-"));
  try {
    await b.page.goto(URL_UNDER_TEST);
    await waitForLeader(b.page, 15000);
    await pause(b.page);
    const before = await hooks(b.page);
    const urlBefore = await b.page.evaluate(() => location.href);

    const scenario = path.join(dir, "broken.kraft");
    await writeFile(scenario, "cluster controllers=3 brokers=1\nrun 2s\ncrash node=banana\n");
    await b.page.locator("#share-open").click();
    await b.page.locator("#import-scenario").setInputFiles(scenario);
    const error = b.page.locator("#share-dialog #load-error");
    await error.waitFor();
    assert.match(await error.textContent(), /Could not open broken\.kraft: 3:\d+: .*unchanged/);
    await screenshot(b.page, "14-bad-scenario.png");
    assert.deepEqual(await hooks(b.page), before);

    const trace = path.join(dir, "broken.json");
    await writeFile(trace, '{"format": "kraftscope-trace/1",\n  "link": 42}');
    await b.page.locator("#import-trace").setInputFiles(trace);
    await b.page.waitForFunction(() => /broken\.json/.test(document.querySelector("#share-dialog #load-error")?.textContent));
    assert.match(await error.textContent(), /Could not open broken\.json: trace: line 2 column \d+: invalid type/);
    assert.deepEqual(await hooks(b.page), before);
    assert.equal(await b.page.evaluate(() => location.href), urlBefore);

    // A good file does open: save the trace, then open it back.
    const download = b.page.waitForEvent("download");
    await b.page.locator("#export-trace").click();
    const saved = path.join(dir, "saved.json");
    await (await download).saveAs(saved);
    await b.page.locator("#import-trace").setInputFiles(saved);
    await b.page.locator("#share-dialog").waitFor({ state: "detached" });
    assert.equal(await b.page.locator("#load-error").count(), 0);
    assert.equal((await status(b.page)).branch, 0);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("setup: a bad server.properties is refused with Kafka's message; 5 controllers and 2 brokers apply", async () => {
  const b = await launch();
  try {
    await b.page.goto(URL_UNDER_TEST);
    await waitForLeader(b.page, 15000);
    const urlBefore = await b.page.evaluate(() => location.hash);
    await b.page.locator("#setup-open").click();
    await b.page.getByLabel("Controllers (1–9)").fill("5");
    await b.page.getByLabel("Brokers (0–50)").fill("2");
    // Break node 2's file: a listener on a negative port.
    const node2 = b.page.locator("#setup-node-2");
    await b.page.locator("details.setup-node").nth(1).locator("summary").click();
    const text = await node2.inputValue();
    await node2.fill(text.replace(/^node\.id=2$/m, "node.id=two"));
    const message = b.page.locator("#setup-node-2-error");
    await message.waitFor();
    assert.match(await message.textContent(), /node\.id/);
    assert.equal(await b.page.locator("button.setup-apply").isDisabled(), true);
    await screenshot(b.page, "15-setup-invalid.png");
    // The running cluster is untouched.
    const names = await b.page.locator(".node-list button .name").allTextContents();
    assert.equal(names.length, 5);

    await node2.fill(text);
    await message.waitFor({ state: "detached" });
    await b.page.locator("button.setup-apply").click();
    await b.page.locator("#setup-dialog").waitFor({ state: "detached" });
    await b.page.waitForFunction(() => document.querySelectorAll(".node-list li").length === 7);
    const after = await b.page.locator(".node-list button .name").allTextContents();
    assert.deepEqual(after, ["Controller 1", "Controller 2", "Controller 3", "Controller 4", "Controller 5", "Broker 6", "Broker 7"]);
    const s = await waitForLeader(b.page, 15000);
    assert.ok(s.leader >= 1 && s.leader <= 5, JSON.stringify(s));
    await b.page.waitForFunction((old) => location.hash !== old, urlBefore);
    await screenshot(b.page, "16-setup-applied.png");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("the run menu's dialogs open and close by keyboard and give focus back", async () => {
  const b = await launch();
  try {
    await b.page.goto(URL_UNDER_TEST);
    await waitForLeader(b.page, 15000);
    for (const [button, dialog] of [["#share-open", "#share-dialog"], ["#setup-open", "#setup-dialog"]]) {
      await b.page.locator(button).focus();
      await b.page.keyboard.press("Enter");
      await b.page.locator(dialog).waitFor();
      // Focus moved into the modal dialog, and its controls have names.
      assert.equal(await b.page.evaluate((d) => document.querySelector(d).contains(document.activeElement), dialog), true);
      await b.page.keyboard.press("Escape");
      await b.page.locator(dialog).waitFor({ state: "detached" });
      assert.equal(await b.page.evaluate(() => document.activeElement?.id), button.slice(1));
    }
    await b.page.locator("#share-open").click();
    for (const name of ["Copy link", "Save as scenario (.kraft)", "Save trace (JSON)", "Close"]) {
      assert.equal(await b.page.getByRole("button", { name, exact: true }).count(), 1, name);
    }
    for (const label of ["Link to this run", "Scenario file", "Trace file (JSON)"]) {
      assert.equal(await b.page.getByLabel(label, { exact: true }).count(), 1, label);
    }
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
