// End to end: the metadata panel, the client actions, the node menu and the message
// list, on the release build in headless Chromium. Each test saves a screenshot under
// target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL_UNDER_TEST, launch, waitForLeader, screenshot, nodePositions } from "./lib.mjs";

let b, page;

before(async () => {
  b = await launch();
  page = b.page;
  await page.goto(URL_UNDER_TEST);
  await page.locator("canvas#cluster").waitFor();
  await waitForLeader(page, 10000);
  // Brokers register and are unfenced a few seconds after the election.
  await page.waitForTimeout(5000);
});

after(async () => {
  assert.deepEqual(b.errors, []);
  await b?.close();
});

async function selectNode(id) {
  const row = page.locator(`.node-list button[data-node="${id}"]`);
  if ((await row.getAttribute("aria-pressed")) !== "true") await row.click();
  await page.keyboard.press("Escape"); // close the menu the click opened; keep focus on the row
  if ((await row.getAttribute("aria-pressed")) !== "true") await row.click();
}

test("a topic created through the form shows in a broker's metadata panel with leaders and ISR", async () => {
  await page.locator("#topic-name").fill("orders");
  await page.locator("#topic-partitions").fill("3");
  await page.locator("#topic-replication").fill("2");
  await page.locator("#create-topic-submit").click();
  await page.locator(".node-list button[data-node='4']").click();
  await page.getByRole("menu").waitFor();
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => document.querySelectorAll('#metadata-panel [data-topic="orders"] tr[data-partition]').length === 3, null, { timeout: 10000 });
  const panel = page.locator("#metadata-panel");
  assert.equal(await panel.getAttribute("data-node"), "4");
  const rows = await panel.locator('[data-topic="orders"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((td) => td.textContent)),
  );
  assert.equal(rows.length, 3);
  for (const [partition, leader, epoch, replicas, isr] of rows) {
    assert.match(replicas, /^\[[45],[45]\]$/);
    assert.equal(isr, replicas);
    assert.equal(leader, replicas.slice(1, 2));
    assert.equal(epoch, "0");
    assert.match(partition, /^[012]$/);
  }
  const brokers = await panel.locator("li.broker").evaluateAll((lis) => lis.map((li) => [li.dataset.broker, li.dataset.fenced]));
  assert.deepEqual(brokers, [["4", "false"], ["5", "false"]]);
  assert.match(await page.locator("#metadata-lag").textContent(), /lag \d+ offset/);
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, "10-topic-created.png");
});

test("a replication factor above the unfenced brokers shows Kafka's message", async () => {
  await page.locator("#topic-name").fill("wide");
  await page.locator("#topic-replication").fill("3");
  await page.locator("#create-topic-submit").click();
  const alert = page.locator("#admin-refusal");
  await alert.waitFor();
  assert.match(await alert.textContent(), /^INVALID_REPLICATION_FACTOR \(Unable to replicate the partition 3 time\(s\): The target replication factor of 3 cannot be reached because only 2 broker\(s\) are registered\.\)$/);
  // A malformed name is refused in the form itself, naming the field.
  await page.locator("#topic-name").fill("no spaces");
  await page.locator("#create-topic-submit").click();
  assert.match(await page.locator("#create-topic-error").textContent(), /^Topic name: Topic name "no spaces" is illegal/);
  await page.locator(".client-actions").scrollIntoViewIfNeeded();
  await screenshot(page, "11-invalid-replication-factor.png");
  await page.locator("#topic-name").fill("orders");
  await page.locator("#topic-replication").fill("2");
});

test("a click on a node opens its menu; controlled shutdown of a broker shows in its broker state", async () => {
  const pos = await nodePositions(page);
  await page.mouse.click(pos[5].x, pos[5].y);
  const menu = page.getByRole("menu", { name: "Actions on Broker 5" });
  await menu.waitFor();
  // Wipe applies only to a stopped node; restart only to a stopped one.
  assert.equal(await menu.getByRole("menuitem", { name: "Wipe the disk of Broker 5" }).isDisabled(), true);
  assert.equal(await menu.getByRole("menuitem", { name: "Restart Broker 5" }).isDisabled(), true);
  await screenshot(page, "12-node-menu.png");
  await menu.getByRole("menuitem", { name: "Controlled shutdown of Broker 5" }).click();
  await page.waitForFunction(() => /Broker 5: broker state RUNNING → PENDING_CONTROLLED_SHUTDOWN/.test(document.querySelector(".events").textContent), null, { timeout: 10000 });
  // The controller fences it: broker 4's image says so.
  await selectNode(4);
  await page.waitForFunction(() => document.querySelector('#metadata-panel li.broker[data-broker="5"]')?.dataset.fenced === "true", null, { timeout: 15000 });
  await page.locator("#metadata-panel").scrollIntoViewIfNeeded();
  await screenshot(page, "13-controlled-shutdown.png");
});

test("the keyboard opens the node menu from the Nodes list, moves in it and Esc closes it", async () => {
  await page.keyboard.press("Escape");
  const row = page.locator('.node-list button[data-node="2"]');
  await row.focus();
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu", { name: "Actions on Controller 2" });
  await menu.waitFor();
  const focused = () => page.evaluate(() => document.activeElement.getAttribute("aria-label"));
  assert.equal(await focused(), "Crash Controller 2");
  await page.keyboard.press("ArrowDown");
  assert.equal(await focused(), "Shut down Controller 2 gracefully");
  assert.equal(await menu.getByRole("menuitem", { name: /Controlled shutdown/ }).count(), 0);
  await screenshot(page, "14-node-menu-keyboard.png");
  await page.keyboard.press("Escape");
  await menu.waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.node), "2");
});

test("a message picked from the list shows its Kafka fields in the inspector", async () => {
  await page.locator("#message-list > summary").click();
  await page.locator("#play").click(); // pause so the message stays in flight
  // A Raft RPC (it carries a correlationId; broker-to-controller RPCs show the fields
  // the trace keeps). Fetches wait at the leader for a while: step until one is on the wire.
  const raft = page
    .locator(".message-list button")
    .filter({ hasNot: page.locator(".api", { hasText: /^(Broker|AlterPartition)/ }) });
  for (let i = 0; i < 200 && (await raft.count()) === 0; i++) {
    await page.locator("#step").click();
  }
  const first = raft.first();
  const api = await first.locator(".api").textContent();
  await first.click();
  const title = page.locator("#inspector-title");
  await title.waitFor();
  assert.match(await title.textContent(), new RegExp(`^${api} #\\d+$`));
  const names = await page.locator(".inspector dt").allTextContents();
  assert.ok(names.includes("correlationId"), names.join(","));
  await page.locator(".messages").scrollIntoViewIfNeeded();
  await screenshot(page, "15-message-list.png");
  await page.locator("#play").click();
});

test("on a narrow screen the new panels stay readable", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await selectNode(4);
  await page.locator("#metadata-panel").scrollIntoViewIfNeeded();
  await screenshot(page, "16-narrow-metadata.png");
  await page.locator(".client-actions").scrollIntoViewIfNeeded();
  await screenshot(page, "17-narrow-client-actions.png");
  await page.setViewportSize({ width: 1280, height: 720 });
});
