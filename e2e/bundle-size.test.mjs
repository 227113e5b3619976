// The release bundle stays small: gzipped wasm + JS glue in dist/ must fit the budget.
// Reads the dist/ that `trunk build --release` just wrote; no browser needed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

// Issue 6 asks for <= 400 KB. With sharing, import/export, cluster setup and the metadata
// panel linked in, the page measures about 438 KB (scenario parser/runner/export, the link
// codec and the server.properties validator are most of the growth), so that target is
// NOT met yet and is tracked as open. This budget is the guard against further growth
// until the page is split (a lazily loaded second module for those tools) or trimmed.
const BUDGET_BYTES = 450 * 1000;

test(`gzipped wasm + JS glue <= ${BUDGET_BYTES / 1000} KB`, () => {
  const files = readdirSync("dist").filter((f) => /^kraftscope-web-.*\.(wasm|js)$/.test(f));
  assert.ok(files.some((f) => f.endsWith(".wasm")), `no wasm in dist/: ${files}`);
  assert.ok(files.some((f) => f.endsWith(".js")), `no JS glue in dist/: ${files}`);
  let total = 0;
  for (const f of files) {
    const raw = readFileSync(`dist/${f}`);
    const gz = gzipSync(raw, { level: 9 }).length;
    total += gz;
    console.log(`${f}: ${raw.length} B raw, ${gz} B gzip`);
  }
  console.log(`bundle: ${total} B gzipped (${(total / 1000).toFixed(1)} KB of ${BUDGET_BYTES / 1000} KB)`);
  assert.ok(total <= BUDGET_BYTES, `bundle is ${total} B gzipped, over ${BUDGET_BYTES} B`);
});
