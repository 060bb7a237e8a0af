// The browser benchmark's tour (issue 15): one scripted walk through the explorer in real
// headless Chromium (Debian's package, driven by playwright-core from frontend/node_modules;
// never a downloaded browser), recording what the browser itself reports. Started by
// bench/browser.py, which runs the app on the model and says what to visit.
//
// Environment:
//   VALUEGRAPH_URL  base URL of the running app (auth off)
//   TOUR_PLAN       JSON {connected: {id, name}, shared: {id, name}, stream: {id, name},
//                   scenario: name of the scenario to create (deleted afterwards by the caller)}
//   TOUR_OUT        file the result is written to (JSON)
//   CHROMIUM        browser executable (default /usr/bin/chromium)
//   TOUR_VIEWPORT   WIDTHxHEIGHT (default 1440x900)
//   TOUR_LANDING_ONLY  "1": only the landing overview (its paints and time to complete)
//   TOUR_UNTIL      a timed step's name: the tour ends after it (to measure one step again
//                   without the long scenario steps; such a result is not the benchmark's)
//   TOUR_PROFILE    folder: each step's CPU profile (CDP Profiler, main thread) is written
//                   there as <step>.cpuprofile (for Chromium's DevTools); profiling slows
//                   the page, so such a run's times are not the benchmark's
//
// Each step's requests (`requests`: the page's fetches, with the GraphQL operation's name,
// when each was sent, its headers came, its body was read and parsed, in ms from the step's
// start, and its length) show what in a step waits on what.
//
// Each step's time to answer runs from just before the action (in the page's clock) to the
// first animation frame after its answer is drawn and the graph's layout has finished. Long
// tasks (over 50 ms, PerformanceObserver 'longtask') are attributed to the step during which
// they started; first contentful and largest contentful paint are those of the landing
// overview.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../frontend/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const base = process.env.VALUEGRAPH_URL;
const plan = JSON.parse(process.env.TOUR_PLAN ?? "null");
const outFile = process.env.TOUR_OUT;
if (!base || !plan || !outFile) {
  console.error("VALUEGRAPH_URL, TOUR_PLAN and TOUR_OUT are required");
  process.exit(2);
}
const [width, height] = (process.env.TOUR_VIEWPORT ?? "1440x900").split("x").map(Number);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: width || 1440, height: height || 900 } });
// Observers installed before any script of the page runs; buffered, so nothing is missed.
await context.addInitScript(() => {
  const bench = { longtasks: [], lcp: [] };
  window.__bench = bench;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.lcp.push({ start: e.startTime, size: e.size, element: e.element?.id || e.element?.className || e.element?.tagName || null });
  }).observe({ type: "largest-contentful-paint", buffered: true });
  // Each request the page makes, with its GraphQL operation's name: when it was sent, when
  // the answer's headers came (the server's time, on this machine), when its body was read
  // and parsed. The steps' waterfalls: what in a step waits on what.
  bench.requests = [];
  const fetch = window.fetch;
  window.fetch = async function (input, init) {
    const url = new URL(typeof input === "string" ? input : input.url, location.href);
    let op = null;
    try {
      op = typeof init?.body === "string" ? (JSON.parse(init.body).query?.match(/\b(?:query|mutation)\s+(\w+)/)?.[1] ?? null) : null;
    } catch {
      /* not JSON: no operation */
    }
    const r = { path: url.pathname, op, start: performance.now(), headers: null, body: null, parsed: null, bytes: null };
    bench.requests.push(r);
    const res = await fetch.call(this, input, init);
    r.headers = performance.now();
    r.status = res.status;
    const text = res.text.bind(res);
    res.text = async () => {
      const t = await text();
      r.body = performance.now();
      r.bytes = t.length;
      return t;
    };
    res.json = async () => {
      const t = await res.text();
      const v = JSON.parse(t);
      r.parsed = performance.now();
      return v;
    };
    return res;
  };
});
const page = await context.newPage();
page.setDefaultTimeout(Number(process.env.TOUR_TIMEOUT_MS ?? 300_000));
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => {
  if (m.type() === "error") errors.push(m.text());
});

const profileDir = process.env.TOUR_PROFILE;
const cdp = profileDir ? await context.newCDPSession(page) : null;
if (cdp) {
  mkdirSync(profileDir, { recursive: true });
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
}
const profileStart = () => cdp?.send("Profiler.start");
async function profileStop(name) {
  if (!cdp) return;
  const { profile } = await cdp.send("Profiler.stop");
  writeFileSync(`${profileDir}/${name.replace(/[^a-z0-9]+/gi, "-")}.cpuprofile`, JSON.stringify(profile));
}

const steps = [];
const now = () => page.evaluate(() => performance.now());
/** The first frame after the answer: what was drawn is on screen. */
const drawn = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0))));
const layoutDone = () => page.waitForFunction(() => document.body.dataset.layout !== "running", null, { polling: "raf" });
const visible = (selector) => page.locator(selector).first().waitFor({ state: "visible" });
const fn = (f, arg) => page.waitForFunction(f, arg, { polling: "raf" });

async function timed(name, action, answered, extra = {}) {
  await profileStart();
  const start = await now();
  try {
    await action();
    await answered();
    await layoutDone();
  } catch (err) {
    steps.push({ name, start, end: await now(), ms: null, error: String(err.message ?? err).split("\n")[0], ...extra });
    console.log(`FAIL ${name}: ${err.message}`);
    await profileStop(name);
    return false;
  }
  const end = await drawn();
  await profileStop(name);
  steps.push({ name, start, end, ms: Math.round(end - start), ...extra });
  console.log(`${name}: ${Math.round(end - start)} ms`);
  if (process.env.TOUR_UNTIL === name) throw new EndEarly();
  return true;
}

/** A phase the tour needs but does not time (typing, picking): its long tasks are still
 * attributed to it. */
async function untimed(name, action) {
  await profileStart();
  const start = await now();
  await action();
  steps.push({ name, start, end: await now(), ms: null, untimed: true });
  await profileStop(name);
}

/** Type into the header search and wait for the element's option (not timed: the search step is). */
async function findInSearch(text, id) {
  await page.fill("#search", "");
  await page.fill("#search", text);
  const option = page.locator(`#search-results li[data-id="${id}"]`);
  await option.waitFor({ state: "visible" });
  return option;
}
const searchText = (name) => name.slice(0, Math.min(name.length, 12));

/** Thrown to end a tour early: landing only, or after the step `TOUR_UNTIL` names. */
class EndEarly extends Error {}

try {
  // 1. Load: the landing overview, from navigation start (the page's clock starts there).
  await page.goto(base, { waitUntil: "commit" });
  await visible("#overview-streams .ov-card, #overview-no-streams");
  const firstContent = await drawn();
  await fn(() => document.querySelector("#overview")?.getAttribute("aria-busy") === "false" && document.querySelector("#overview-health-score") && document.querySelector("#overview-bottlenecks li"));
  const complete = await drawn();
  steps.push({ name: "load: overview answered", start: 0, end: complete, ms: Math.round(complete - 0), first_content_ms: Math.round(firstContent) });
  console.log(`load: overview answered ${Math.round(complete)} ms (streams drawn at ${Math.round(firstContent)} ms)`);
  if (process.env.TOUR_LANDING_ONLY === "1") throw new EndEarly();

  await timed(
    "graph page",
    () => page.click("nav.pages a[data-page=graph]"),
    () => fn(() => window.valuegraph?.state.page === "graph" && window.valuegraph.view.cy.nodes().length > 0),
  );

  const c = plan.connected;
  let option;
  await timed(
    "search",
    async () => {
      await page.fill("#search", searchText(c.name));
    },
    async () => {
      option = page.locator(`#search-results li[data-id="${c.id}"]`);
      await option.waitFor({ state: "visible" });
    },
  );
  steps[steps.length - 1].text = searchText(c.name);
  await timed(
    "expand the most connected element",
    () => option.click(),
    async () => {
      await fn((id) => window.valuegraph.model.expanded.includes(id) && window.valuegraph.state.selected === id, c.id);
      await visible("#details-title");
    },
    { element: c.id, relationships: c.degree },
  );
  steps[steps.length - 1].nodes = await page.evaluate(() => window.valuegraph.view.cy.nodes().length);

  const s = plan.shared;
  let sharedOption;
  await untimed("impact mode, search the platform", async () => {
    await page.click(".modes button[data-mode=impact]");
    await fn(() => window.valuegraph.state.mode === "impact");
    await layoutDone();
    sharedOption = await findInSearch(searchText(s.name), s.id);
  });
  await timed(
    "impact of the most shared platform",
    () => sharedOption.click(),
    async () => {
      await fn((id) => window.valuegraph.state.impactOf === id && !document.querySelector(".mode-panel .loading") && document.querySelector("#impact-list-title, #impact-streams"), s.id);
    },
    { element: s.id, dependants: s.dependants },
  );
  steps[steps.length - 1].nodes = await page.evaluate(() => window.valuegraph.view.cy.nodes().length);

  const v = plan.stream;
  let streamOption;
  await untimed("search the stream", async () => {
    streamOption = await findInSearch(searchText(v.name), v.id);
  });
  await timed(
    "impact of a stream",
    () => streamOption.click(),
    () => fn((id) => window.valuegraph.state.impactOf === id && !document.querySelector(".mode-panel .loading") && document.querySelector("#impact-title"), v.id),
    { element: v.id },
  );
  await timed(
    "what the stream depends on",
    () => page.check("#impact-dir-depends"),
    () => fn(() => window.valuegraph.state.impactDir === "depends" && !document.querySelector(".mode-panel .loading") && document.querySelector("#impact-streams li[data-id], #impact-list-title")),
    { element: v.id },
  );
  steps[steps.length - 1].nodes = await page.evaluate(() => window.valuegraph.view.cy.nodes().length);
  await untimed("back to the stream's impact", async () => {
    await page.check("#impact-dir-impact");
    await fn(() => window.valuegraph.state.impactDir === "impact" && !document.querySelector(".mode-panel .loading"));
    await layoutDone();
  });

  await timed(
    "bottlenecks",
    () => page.click(".modes button[data-mode=bottleneck]"),
    () => visible("#bottleneck-ranking tbody tr"),
  );
  // What is drawn of the clusters, of how many (the panel's counts, `#bn-drawn`).
  Object.assign(
    steps[steps.length - 1],
    await page.evaluate(() => ({ nodes: window.valuegraph.view.cy.nodes().length, edges: window.valuegraph.view.cy.edges().length, drawn: { ...(document.getElementById("bn-drawn")?.dataset ?? {}) } })),
  );

  await timed(
    "health",
    () => page.click("nav.pages a[data-page=health]"),
    () => visible("#health-checks article"),
  );

  await untimed("back to the graph page", async () => {
    await page.click("nav.pages a[data-page=graph]");
    await fn(() => window.valuegraph.state.page === "graph");
    await layoutDone();
  });
  await timed(
    "scenario mode",
    () => page.click(".modes button[data-mode=scenario]"),
    async () => {
      await visible("#scenario-name");
      await fn(() => document.querySelector(".mode-panel.scenario")?.getAttribute("aria-busy") === "false");
    },
  );
  await page.fill("#scenario-name", plan.scenario);
  await timed(
    "scenario: create",
    () => page.click("#scenario-create"),
    async () => {
      await visible("#op-kind");
      await fn(() => document.querySelector(".mode-panel.scenario")?.getAttribute("aria-busy") === "false");
    },
  );
  await untimed("scenario: pick the platform to remove", async () => {
    await page.fill("#op-element", searchText(s.name));
    await page.locator(`#op-element-results li[data-id="${s.id}"]`).click();
    await fn((x) => document.getElementById("op-element-chosen")?.textContent?.includes(x), s.id);
  });
  await timed(
    "scenario: remove the most shared platform and compare",
    () => page.click("#op-add"),
    async () => {
      await visible("#scenario-ops li");
      await visible("#scenario-health-score");
      await fn(() => document.querySelector(".mode-panel.scenario")?.getAttribute("aria-busy") === "false");
    },
    { element: s.id },
  );
  // The comparison answers in two parts: losses, impact and health above, then the
  // bottleneck comparison when the scenario's ranking is computed. Timed from here, and
  // (`since_change_ms`) from the click that added the change.
  const change = steps[steps.length - 1];
  await timed(
    "scenario: the bottleneck comparison (second part)",
    async () => {},
    () => visible("#scenario-bottlenecks"),
  );
  const second = steps[steps.length - 1];
  if (second.ms !== null && change.start !== undefined) second.since_change_ms = Math.round(second.end - change.start);
} catch (err) {
  if (!(err instanceof EndEarly)) {
    errors.push(`tour stopped: ${err.stack ?? err}`);
    console.log(`tour stopped: ${err.message}`);
  }
}

const bench = await page.evaluate(() => ({
  longtasks: window.__bench.longtasks,
  requests: window.__bench.requests,
  lcp: window.__bench.lcp,
  paint: performance.getEntriesByType("paint").map((e) => ({ name: e.name, start: e.startTime })),
  navigation: performance.getEntriesByType("navigation").map((e) => ({ domContentLoaded: e.domContentLoadedEventEnd, load: e.loadEventEnd }))[0] ?? null,
})).catch(() => ({ longtasks: [], requests: [], lcp: [], paint: [], navigation: null }));
await browser.close();

// Each long task goes to the step during which it started (or to the time between steps).
for (const st of steps) st.longtasks = [];
const between = [];
for (const t of bench.longtasks) {
  const st = steps.find((x) => t.start >= x.start && t.start <= x.end);
  (st ? st.longtasks : between).push(Math.round(t.duration));
  // When each began, from the step's start: beside its requests, what the page did when.
  if (st) (st.longtasks_at ??= []).push([Math.round(t.start - st.start), Math.round(t.duration)]);
}
for (const st of steps) st.longest_task_ms = Math.max(0, ...st.longtasks);
// Each request goes to the step during which it was sent, its times from the step's start.
for (const st of steps) {
  const ms = (t) => (t === null ? null : Math.round(t - st.start));
  st.requests = bench.requests
    .filter((r) => r.start >= st.start && r.start <= st.end)
    .map((r) => ({ op: r.op ?? r.path, sent: ms(r.start), headers: ms(r.headers), read: ms(r.body), parsed: ms(r.parsed), bytes: r.bytes, status: r.status }));
}
const fcp = bench.paint.find((p) => p.name === "first-contentful-paint")?.start ?? null;
const lcp = bench.lcp.length ? bench.lcp[bench.lcp.length - 1] : null;
const result = {
  steps,
  first_contentful_paint_ms: fcp === null ? null : Math.round(fcp),
  largest_contentful_paint_ms: lcp === null ? null : Math.round(lcp.start),
  largest_contentful_paint_element: lcp?.element ?? null,
  navigation: bench.navigation,
  longtasks_between_steps: between,
  longest_task_ms: Math.max(0, ...bench.longtasks.map((t) => Math.round(t.duration))),
  longtasks_total: bench.longtasks.length,
  errors,
};
writeFileSync(outFile, JSON.stringify(result, null, 2));
process.exit(steps.some((s) => s.ms === null && !s.untimed) || errors.some((e) => e.startsWith("tour stopped")) ? 1 : 0);
