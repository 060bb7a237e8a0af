// The explorer's reports and long lists, end to end (called by explorer.e2e.mjs, which owns
// the browser, the steps' bookkeeping and the order): each report downloaded from the page
// is what REST answers for the same question, the print view carries the report's title,
// date, model and legend, a long list draws a page of rows with its true total and sorts,
// and a model without value streams gets an overview of what it has.
import { readFileSync } from "node:fs";

/**
 * `t`: { page, base, check, shot, waitReady } from the main script.
 * Returns the steps, each `async () => {}` for the main script's `step(name, fn)`.
 */
export function reportSteps(t) {
  const { page, base, check, shot } = t;

  /** What REST answers (the explorer's token, as the page sends it). */
  async function rest(url) {
    const token = await page.evaluate(() => sessionStorage.getItem("valuegraph.token") ?? localStorage.getItem("valuegraph.token"));
    const response = await fetch(new URL(url, base), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    check(response.ok, `GET ${url} answered ${response.status}`);
    return response.text();
  }

  // The report says when it was made (to the minute): two requests may straddle a minute.
  const timeless = (text) => text.replace(/^Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC/m, "Generated (time)");

  async function downloaded(buttonId) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(`#${buttonId}`)]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: readFileSync(path, "utf8") };
  }

  /** Markdown and CSV from the page's buttons, each equal to REST's answer at the button's URL. */
  async function checkDownloads(prefix, expectUrl) {
    for (const format of ["md", "csv"]) {
      const button = page.locator(`#${prefix}-${format}`);
      await button.waitFor();
      const url = await button.getAttribute("data-url");
      check(url && expectUrl(url, format), `the ${format} button asks ${url}`);
      const got = await downloaded(`${prefix}-${format}`);
      const want = await rest(url);
      check(got.name.endsWith(`.${format}`), `downloaded as ${got.name}`);
      check(want.length > 100, `REST answered a short ${format} report: ${want.slice(0, 200)}`);
      check(timeless(got.text) === timeless(want), `the downloaded ${format} report differs from REST's ${url}:\n${got.text.slice(0, 400)}\n---\n${want.slice(0, 400)}`);
    }
  }

  /** The print view: the report's title, date, model, what was asked and legend, and it alone prints. */
  async function checkPrintView(prefix, title, sections, shotName) {
    await page.click(`#${prefix}-print`);
    await page.locator("#print-view .print-page[data-ready]").waitFor({ timeout: 60_000 });
    check((await page.textContent("#print-title")).trim() === title, `print view titled "${await page.textContent("#print-title")}"`);
    const text = await page.textContent("#print-view .print-page");
    check(/Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC/.test(text), "the print view has no date");
    for (const s of ["model", "what-was-asked", "legend", ...sections]) {
      check((await page.locator(`#print-view [data-section="${s}"]`).count()) === 1, `the print view has no "${s}" section`);
    }
    check((await page.locator("#print-view [data-section=legend] + ul li").count()) > 0, "the legend is empty");
    await page.emulateMedia({ media: "print" });
    const printed = await page.evaluate(() => ({
      header: getComputedStyle(document.querySelector("header.top")).display,
      toolbar: getComputedStyle(document.querySelector(".print-toolbar")).display,
      view: getComputedStyle(document.querySelector("#print-view")).display,
      position: getComputedStyle(document.querySelector("#print-view")).position,
    }));
    check(printed.header === "none" && printed.toolbar === "none" && printed.view !== "none" && printed.position === "static", `print stylesheet: ${JSON.stringify(printed)}`);
    await shot(shotName);
    await page.emulateMedia({ media: "screen" });
    await page.click("#print-close");
    check((await page.locator("#print-view").count()) === 0, "the print view does not close");
  }

  return {
    async impact(impactOf) {
      const depth = await page.evaluate(() => window.valuegraph.state.depth);
      // The depth just changed: its answer (asked after a short debounce) carries the buttons.
      await page.locator(`#report-impact-md[data-url*="max_depth=${depth}"]`).waitFor({ timeout: 60_000 });
      await page.waitForFunction(() => !document.querySelector(".mode-panel .loading"));
      await page.locator("#impact-notify .vt-group").first().waitFor();
      // Who to notify, ranked as the report: accountable owners first, then teams by distance.
      const groups = await page.locator("#impact-notify .vt-group").evaluateAll((els) => els.map((e) => e.dataset.group));
      check(JSON.stringify(groups) === JSON.stringify(["Accountable owners", "Owning teams"]), `notify groups ${groups}`);
      await checkDownloads("report-impact", (url, f) => url.startsWith(`/api/reports/impact/${impactOf}?`) && url.includes(`format=${f}`) && url.includes(`max_depth=${depth}`));
      const md = await rest(`/api/reports/impact/${impactOf}?format=md&max_depth=${depth}`);
      check(md.includes("## Who to notify"), "the impact report has no 'Who to notify'");
      check(md.startsWith("# Impact of a change"), `the impact report opens with ${md.slice(0, 80)}`);
      await checkPrintView("report-impact", await firstHeading(`/api/reports/impact/${impactOf}?format=md&max_depth=${depth}`), ["who-to-notify"], "20-print-impact");
    },

    async bottlenecks() {
      await checkDownloads("report-bottlenecks", (url, f) => url.startsWith("/api/reports/bottlenecks?") && url.includes(`format=${f}`));
      await checkPrintView("report-bottlenecks", await firstHeading("/api/reports/bottlenecks?format=md"), [], "21-print-bottlenecks");
    },

    async scenario(name, element) {
      await checkDownloads("report-scenario", (url, f) => url.startsWith(`/api/reports/scenarios/${encodeURIComponent(name)}/compare?`) && url.includes(`element=${element}`) && url.includes(`format=${f}`));
      await checkPrintView("report-scenario", await firstHeading(`/api/reports/scenarios/${encodeURIComponent(name)}/compare?format=md&element=${element}`), [], "22-print-scenario");
    },

    async health() {
      await page.click("nav.pages a[data-page=health]");
      await page.locator("#health-checks article").first().waitFor();
      await checkDownloads("report-health", (url, f) => url.startsWith("/api/reports/health?") && url.includes(`format=${f}`));
      // A check's findings draw a page at a time, with their true count.
      const tables = await page.locator("#health-checks .vtable").evaluateAll((els) =>
        els.map((e) => ({ id: e.id, total: Number(e.dataset.total), rows: e.querySelectorAll("tbody tr").length })),
      );
      check(tables.length > 0, "no findings table on the health page");
      for (const x of tables) check(x.rows <= 10 && x.rows === Math.min(10, x.total), `${x.id}: ${x.rows} rows drawn of ${x.total}`);
      await checkPrintView("report-health", await firstHeading("/api/reports/health?format=md"), [], "23-print-health");
    },

    /** The selected element's neighbours (more than a page): a page drawn, the true total, sorted both ways. */
    async longList(total) {
      const list = page.locator("#neighbour-list");
      await list.waitFor();
      const group = list.locator(".vt-group").filter({ hasText: `(${total})` }).first();
      check((await group.count()) === 1, `no neighbour group of ${total}`);
      // Long groups start collapsed: nothing of them is drawn.
      check((await group.locator("tbody tr").count()) === 0, "a long group is drawn before it is opened");
      await group.locator(".vt-group-toggle").click();
      await group.locator("tbody tr").first().waitFor();
      const rows = await group.locator("tbody tr").count();
      check(rows === 20, `${rows} rows drawn of ${total}`);
      check((await group.locator(".vt-range").textContent()).trim() === `1–20 of ${total}`, `pager says ${await group.locator(".vt-range").textContent()}`);
      const names = () => group.locator("tbody tr td:first-child .element-link").evaluateAll((els) => els.map((e) => e.textContent.trim()));
      const sorted = (xs, dir) => [...xs].sort((a, b) => dir * a.localeCompare(b, "en", { numeric: true, sensitivity: "base" }));
      await group.locator("th[data-key=name] button").click();
      const asc = await names();
      check(JSON.stringify(asc) === JSON.stringify(sorted(asc, 1)) && (await group.locator("th[data-key=name]").getAttribute("aria-sort")) === "ascending", `not sorted ascending: ${asc.slice(0, 5)}`);
      await group.locator("th[data-key=name] button").click();
      const desc = await names();
      check(JSON.stringify(desc) === JSON.stringify(sorted(desc, -1)) && desc[0] !== asc[0], `not sorted descending: ${desc.slice(0, 5)}`);
      await group.locator(".vt-next").click();
      check((await group.locator(".vt-range").textContent()).trim() === `21–40 of ${total}`, "the next page is not shown");
      check((await group.locator("tbody tr").count()) === 20, "the next page draws more than a page");
      // The CSV lists every neighbour, not the page.
      const csv = await downloaded("neighbour-list .vt-csv");
      check(csv.text.trim().split("\r\n").length >= total + 1, `the CSV lists ${csv.text.trim().split("\r\n").length - 1} rows`);
      await shot("24-long-list");
    },

    /** A model without value streams: the most depended-on elements with their owners. */
    async noStreams(expectTop, expectOwner) {
      await page.goto(base);
      await t.waitReady();
      // A fresh app answers its first questions slowly on a busy machine.
      await page.locator("#overview-depended-on").waitFor({ timeout: 90_000 });
      check((await page.locator("#overview-streams").count()) === 0, "a stream map on a model without streams");
      const first = page.locator("#overview-depended-list tbody tr").first();
      await first.waitFor();
      check((await first.getAttribute("data-id")) === expectTop, `the most depended-on is ${await first.getAttribute("data-id")}, not ${expectTop}`);
      check((await first.locator(`a[data-id="${expectOwner}"]`).count()) === 1, `its owner ${expectOwner} is not listed`);
      check((await page.locator("#overview-counts li").count()) > 0, "key counts missing");
      check(/^\d+(\.\d)?$|^not applicable$/.test((await page.textContent("#overview-health-score")).trim()), "no health score");
      await shot("25-overview-no-streams");
      await first.locator(`a[data-id="${expectTop}"]`).click();
      await t.waitReady();
      await page.waitForFunction((x) => window.valuegraph.state.selected === x && window.valuegraph.state.page === "graph", expectTop);
    },
  };

  async function firstHeading(url) {
    const md = await rest(url);
    const m = /^# (.*)$/m.exec(md);
    check(m, `no title in ${url}`);
    return m[1].replace(/\\(.)/g, "$1");
  }
}
