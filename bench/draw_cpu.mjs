// The explorer's largest drawings, traced (issue 15): bottleneck mode opened from its address,
// the return to the graph page from the Health page, and (with SCN) a scenario's comparison
// opened from its address. For each, every main-thread task over 50 ms with its wall time and
// its CPU time (the trace's `tdur`): on a machine shared with other work a task's wall time
// includes the time it waited for a core, its CPU time hardly does, so builds measured at
// different loads still compare. One JSON line per drawing on stdout.
//
//   VALUEGRAPH_URL=http://127.0.0.1:8000 [SCN=<scenario name>] node bench/draw_cpu.mjs LABEL
//
// Debian's /usr/bin/chromium (CHROMIUM) through playwright-core from frontend/node_modules.
import { createRequire } from "node:module";
const require = createRequire(new URL("../frontend/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const base = process.env.VALUEGRAPH_URL;
const scn = process.env.SCN;
if (!base) {
  console.error("VALUEGRAPH_URL is required");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
const events = [];
cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
async function traced(name, fn) {
  events.length = 0;
  await cdp.send("Tracing.start", { categories: "devtools.timeline,disabled-by-default-devtools.timeline", transferMode: "ReportEvents" });
  await fn();
  const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
  await cdp.send("Tracing.end");
  await done;
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const tasks = events.filter((e) => e.ph === "X" && (e.name === "RunTask" || e.name === "ThreadControllerImpl::RunTask") && e.pid === main?.pid && e.tid === main?.tid && e.dur > 50000);
  const r = { step: name, wall: tasks.map((t) => Math.round(t.dur / 1000)), cpu: tasks.map((t) => Math.round((t.tdur ?? 0) / 1000)) };
  r.maxWall = Math.max(0, ...r.wall); r.maxCpu = Math.max(0, ...r.cpu); r.sumCpu = r.cpu.reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ label: process.argv[2], ...r }));
}
const layoutDone = () => page.waitForFunction(() => document.body.dataset.layout !== "running", null, { polling: "raf", timeout: 120000 });
const settle = () => page.waitForTimeout(1500);
await traced("bottlenecks (from the URL)", async () => {
  await page.goto(`${base}/?mode=bottleneck`);
  await page.waitForFunction(() => window.valuegraph?.view?.cy?.nodes().length > 100 && document.querySelector("#bottleneck-ranking tbody tr"), null, { polling: "raf", timeout: 120000 });
  await layoutDone(); await settle();
});
await page.click("nav.pages a[data-page=health]");
await page.locator("#health-checks article").first().waitFor({ state: "visible", timeout: 120000 });
await settle();
await traced("back to the graph page", async () => {
  await page.click("nav.pages a[data-page=graph]");
  await page.waitForFunction(() => window.valuegraph.state.page === "graph", null, { polling: "raf" });
  await page.waitForTimeout(300);
  await layoutDone(); await settle();
});
if (scn) await traced("scenario compared (from the URL)", async () => {
  await page.goto(`${base}/?mode=scenario&scn=${encodeURIComponent(scn)}`);
  await page.waitForFunction(() => document.querySelector("#scenario-health-score") && document.querySelector(".mode-panel.scenario")?.getAttribute("aria-busy") === "false", null, { polling: "raf", timeout: 120000 });
  await layoutDone(); await settle();
});
await browser.close();
