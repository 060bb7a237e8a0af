// Screenshots of the explorer for its README (frontend/README.md): the overview, the long
// lists of impact mode, and each report's print view (impact, scenario comparison,
// bottlenecks, health), taken in Debian's headless Chromium through playwright-core (as the
// e2e run; no browser is downloaded) against a running app with the demo model:
//
//   valuegraph serve --demo --port 8765 &
//   VALUEGRAPH_URL=http://127.0.0.1:8765 node e2e/screenshots.mjs   # writes screenshots/*.png
//
// Environment: VALUEGRAPH_URL (required), VALUEGRAPH_TOKEN (when auth is on), SHOTS_OUT
// (default screenshots/), CHROMIUM (default /usr/bin/chromium). A what-if scenario removing
// the API gateway is created for its comparison and discarded afterwards.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const base = process.env.VALUEGRAPH_URL;
if (!base) {
  console.error("VALUEGRAPH_URL is not set");
  process.exit(2);
}
const out = resolve(process.env.SHOTS_OUT ?? "screenshots");
mkdirSync(out, { recursive: true });
const token = process.env.VALUEGRAPH_TOKEN ?? "";
const SCENARIO = "readme-remove-api-gateway";
const ELEMENT = "plat-api-gateway";

async function gql(query, variables = {}) {
  const response = await fetch(new URL("/graphql", base), {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

const userDataDir = mkdtempSync(join(tmpdir(), "valuegraph-shots-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 800 },
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(60_000);

async function open(path) {
  await page.goto(new URL(path, base).toString());
  if (token) {
    const dialog = page.locator("#token-dialog");
    await Promise.race([dialog.waitFor({ state: "visible" }), page.locator("body[data-ready]").waitFor({ state: "attached" })]);
    if (await dialog.isVisible()) {
      await page.fill("#token-input", token);
      await page.click("#token-submit");
    }
  }
  await page.locator("body[data-ready]").waitFor({ state: "attached" });
}

async function shot(name, target = page) {
  await target.screenshot({ path: join(out, `${name}.png`) });
  console.log(`wrote ${join(out, `${name}.png`)}`);
}

/** The print view of the report whose buttons start with `prefix`. */
async function printView(prefix, name) {
  await page.locator(`#${prefix}-print`).click();
  await page.locator("#print-view .print-page[data-ready]").waitFor();
  await shot(name);
  await page.click("#print-close");
}

try {
  await open("/");
  await page.locator("#overview-streams .ov-card").first().waitFor();
  await page.locator("#overview-bottlenecks li[data-id]").first().waitFor();
  await shot("overview");

  await open(`/?mode=impact&of=${ELEMENT}&sel=${ELEMENT}&n=${ELEMENT}`);
  await page.locator("#impact-notify .vt-group").first().waitFor();
  await page.waitForFunction(() => document.body.dataset.layout !== "running");
  await page.locator("#impact-notify").scrollIntoViewIfNeeded();
  await shot("impact-lists", page.locator("aside.panel"));
  await printView("report-impact", "report-impact");

  await open("/?mode=bottleneck");
  await printView("report-bottlenecks", "report-bottlenecks");

  await open("/?page=health");
  await printView("report-health", "report-health");

  await gql("mutation($n: String!) { discardScenario(name: $n) }", { n: SCENARIO }).catch(() => {});
  await gql("mutation($n: String!, $e: String!) { createScenario(name: $n, description: \"What if the API gateway went away?\", operations: [{ removeElement: { element: $e } }]) { name } }", {
    n: SCENARIO,
    e: ELEMENT,
  });
  await open(`/?mode=scenario&scn=${SCENARIO}&of=${ELEMENT}`);
  await printView("report-scenario", "report-scenario");
} finally {
  await gql("mutation($n: String!) { discardScenario(name: $n) }", { n: SCENARIO }).catch(() => {});
  await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
