// The explorer's time steps (issue #16 item 5), run by explorer.e2e.mjs in the same browser:
// the history panel of an element, the latest changes on the overview and their chart, a
// stream's funding and measures over time, and the roadmap.
// Every step checks content against the API's own answer, not only that something shows.

/** The element edited through the API so that its history has updates to show and to page. */
const EDITED = process.env.E2E_HISTORY_ELEMENT ?? "plat-document-mgmt";
const EDITS = 10;
const PAGE = 10;
/** A value stream with measures and funding lines in the demo. */
const STREAM = process.env.E2E_TREND_STREAM ?? "vs-mortgage";
/** What the dated roadmap scenario removes (its impact on that step reaches nothing). */
const ROADMAP_REMOVES = process.env.E2E_IMPACT_OF ?? "plat-api-gateway";
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

export async function timeSteps({ page, base, step, check, waitReady, settle, shot }) {
  const token = process.env.VALUEGRAPH_TOKEN;
  /** A GraphQL read with the run's token, from the page (same origin). */
  const gql = (query, variables = {}) =>
    page.evaluate(
      async ([q, v, t]) => {
        const r = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json", ...(t ? { authorization: `Bearer ${t}` } : {}) }, body: JSON.stringify({ query: q, variables: v }) });
        const body = await r.json();
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data;
      },
      [query, variables, token],
    );

  let versionsBefore = 0;
  let lastSet = null;

  await step("history: an element's versions, newest first, with who, when, through what and before → after", async () => {
    versionsBefore = (await gql("query($id: ID!) { history(id: $id, limit: 1) { total } }", { id: EDITED })).history.total;
    check(versionsBefore >= 1, `${EDITED} has no recorded version (the demo load should have recorded its creation)`);
    // Ten edits through the REST API, as an editor would make them.
    const statuses = await page.evaluate(
      async ([id, n, t]) => {
        const out = [];
        for (let i = 1; i <= n; i++) {
          const r = await fetch(`/api/nodes/${encodeURIComponent(id)}`, {
            method: "PATCH",
            headers: { "content-type": "application/json", ...(t ? { authorization: `Bearer ${t}` } : {}) },
            body: JSON.stringify({ description: `E2E history edit ${i}` }),
          });
          out.push(r.status);
        }
        return out;
      },
      [EDITED, EDITS, token],
    );
    check(statuses.every((s) => s === 200), `the edits answered ${statuses}`);
    lastSet = (await gql("{ changes(limit: 1) { items { seq actor via action } } }")).changes.items[0];

    await page.goto(`${base}/?n=${EDITED}&sel=${EDITED}`);
    await waitReady();
    await page.locator("#history .version").first().waitFor();
    await settle();
    const total = versionsBefore + EDITS;
    const title = (await page.textContent("#history-title")).trim();
    check(title.includes(`(${total} versions)`), `history title "${title}", expected ${total} versions`);
    const rows = page.locator("#history .version");
    check((await rows.count()) === PAGE, `expected a page of ${PAGE} versions, got ${await rows.count()}`);
    // Newest first: the last edit, then the one before it.
    const first = rows.nth(0);
    check((await first.getAttribute("data-op")) === "updated", "the newest version is not the last update");
    check(Number(await first.getAttribute("data-seq")) === lastSet.seq, `the newest version is seq ${await first.getAttribute("data-seq")}, the API's last change set ${lastSet.seq}`);
    const diff = first.locator('tr[data-field="description"]');
    check((await diff.locator("td.before").textContent()) === `E2E history edit ${EDITS - 1}`, `before: ${await diff.locator("td.before").textContent()}`);
    check((await diff.locator("td.after").textContent()) === `E2E history edit ${EDITS}`, `after: ${await diff.locator("td.after").textContent()}`);
    check((await rows.nth(1).locator('tr[data-field="description"] td.after').textContent()) === `E2E history edit ${EDITS - 1}`, "the second version is not the edit before");
    // Who, through what, when (in words, the ISO time only in the tooltip).
    check((await first.locator(".actor").textContent()) === lastSet.actor, `who: "${await first.locator(".actor").textContent()}", the API says "${lastSet.actor}"`);
    check((await first.locator(".via").textContent()).includes("edit · REST API"), `through what: "${await first.locator(".via").textContent()}"`);
    const when = (await first.locator("time").textContent()).trim();
    check(/^(just now|\d+ (second|minute)s? ago) \(/.test(when) && !ISO.test(when), `when: "${when}"`);
    check(ISO.test(await first.locator("time").getAttribute("datetime")), "the time has no machine-readable datetime");
    await shot("20-history");

    // Paged: the oldest version (its creation) is on the last page.
    check((await page.textContent("#history-range")).trim() === `1–${PAGE} of ${total}`, `range: ${await page.textContent("#history-range")}`);
    // Paged back to the oldest page (earlier steps may have edited this element too).
    const older = page.locator("#history .version");
    const pages = Math.ceil(total / PAGE);
    for (let k = 1; k < pages; k++) {
      await page.click("#history-older");
      await page.waitForFunction((want) => document.getElementById("history-range")?.textContent?.startsWith(want), `${k * PAGE + 1}–`);
      const want = Math.min(PAGE, total - k * PAGE);
      check((await older.count()) === want, `page ${k + 1} holds ${await older.count()} versions, expected ${want}`);
    }
    const oldest = older.nth((await older.count()) - 1);
    check((await oldest.getAttribute("data-op")) === "created", `the oldest version is "${await oldest.getAttribute("data-op")}", not the creation`);
    check((await oldest.locator("summary").textContent()).startsWith("Created with"), "the creation does not list what it was created with");
    for (let k = pages - 1; k >= 1; k--) {
      await page.click("#history-newer");
      await page.waitForFunction((want) => document.getElementById("history-range")?.textContent?.startsWith(want), `${(k - 1) * PAGE + 1}–`);
    }
  });

  await step("overview: the latest changes say who, when and what, and link to what they changed", async () => {
    check(lastSet, "no edit was made by the history step");
    await page.goto(base);
    await waitReady();
    await page.locator("#overview-changes li[data-seq]").first().waitFor();
    const newest = page.locator("#overview-changes li[data-seq]").first();
    check(Number(await newest.getAttribute("data-seq")) === lastSet.seq, `the newest change set listed is ${await newest.getAttribute("data-seq")}, the API's ${lastSet.seq}`);
    check((await newest.locator(".cs-action").textContent()).startsWith("edit"), `action: ${await newest.locator(".cs-action").textContent()}`);
    check((await newest.locator(".actor").textContent()) === lastSet.actor, "who is not the API's actor");
    // The ten edits in a row by one token are one line, their counts summed.
    check(Number(await newest.getAttribute("data-sets")) === EDITS, `the edits are folded into ${await newest.getAttribute("data-sets")} change sets, expected ${EDITS}`);
    check((await newest.locator(".cs-counts").textContent()) === `elements: ${EDITS} updated`, `counts: ${await newest.locator(".cs-counts").textContent()}`);
    const when = (await newest.locator("time").textContent()).trim();
    check(!ISO.test(when) && /ago|just now/.test(when), `when: "${when}"`);
    // The activity chart is drawn (a canvas), and its numbers hold today's edits.
    await page.locator("#overview-activity canvas").first().waitFor();
    const today = await page.locator("#overview-activity .trend-data tbody tr").last().locator("td").first().textContent();
    check(Number(today) >= EDITS, `today's element changes in the chart: ${today}, expected at least ${EDITS}`);
    await shot("21-overview-changes");
    await newest.locator(`a[data-id="${EDITED}"]`).click();
    await waitReady();
    await page.waitForFunction((x) => window.valuegraph.state.selected === x && window.valuegraph.state.page === "graph", EDITED);
    await settle();
  });

  await step("time control: the element reads and the health report as of a past moment, kept in the URL", async () => {
    // The moment just before the scenario an admin applied (Document Management had no owner
    // then), and the moment of the fifth history edit.
    const sets = (await gql("{ changes(limit: 100) { items { seq at action ref } } }")).changes.items;
    const applied = sets.find((x) => x.action === "scenario");
    check(applied, "no applied scenario in the history (the admin step applies one)");
    const before = new Date(Date.parse(applied.at) - 1).toISOString();
    const fifth = sets.filter((x) => x.action === "edit")[EDITS - 5];
    check(fifth, "the history edits are not in the history");

    await page.goto(`${base}/?n=${EDITED}&sel=${EDITED}&asof=${encodeURIComponent(fifth.at)}`);
    await waitReady();
    await page.locator("#details .description").waitFor();
    check((await page.textContent("#details .description")) === "E2E history edit 5", `as of the fifth edit the description reads "${await page.textContent("#details .description")}"`);
    check((await page.textContent("#time-shown")).includes("as it was at"), "the time control does not say which moment is shown");
    check((await page.inputValue("#time-kind")) === "past", "the time control is not on 'as it was'");
    await shot("24-asof-element");
    await page.click("#time-now");
    await page.waitForFunction(() => !new URL(location.href).searchParams.has("asof"));
    await page.waitForFunction(() => document.querySelector("#details .description")?.textContent === "E2E history edit 10");

    const [then, now] = await Promise.all([
      gql("query($t: String) { healthReport(asOf: $t) { score checks { id offending } } }", { t: before }),
      gql("{ healthReport { score checks { id offending } } }"),
    ]);
    const moved = then.healthReport.checks.find((c) => c.offending !== now.healthReport.checks.find((n) => n.id === c.id)?.offending);
    check(moved, "no health check differs before the applied scenario: nothing to tell the moments apart");
    await page.goto(`${base}/?page=health&asof=${encodeURIComponent(before)}`);
    await waitReady();
    await page.locator("#health-checks article").first().waitFor();
    check((await page.textContent("#health-time")).includes("as it was at"), "the health page does not say which moment it shows");
    const score = (await page.textContent("#health-score strong")).trim();
    check(Number(score) === then.healthReport.score, `health as of then ${score}, the API's ${then.healthReport.score} (now ${now.healthReport.score})`);
    const offending = await page.getAttribute(`#health-checks article[data-check="${moved.id}"] .badge`, "data-offending");
    check(Number(offending) === moved.offending, `${moved.id} as of then: ${offending}, the API's ${moved.offending}`);
    await shot("25-asof-health");
  });

  await step("time control: a planned date re-asks impact mode by lifecycle dates, kept in the URL", async () => {
    const planned = new Date(Date.now() + 3 * 365 * 86_400_000).toISOString().slice(0, 10);
    const api = (await gql("query($e: String!, $d: String) { impact(element: $e, maxDepth: 6, at: $d) { streams { element { id } } } }", { e: ROADMAP_REMOVES, d: planned })).impact;
    await page.goto(`${base}/?mode=impact&of=${ROADMAP_REMOVES}`);
    await waitReady();
    await page.locator("#time-kind").waitFor();
    await page.selectOption("#time-kind", "planned");
    await page.fill("#time-date", planned);
    await page.locator("#time-date").dispatchEvent("change");
    await page.waitForFunction((d) => new URL(location.href).searchParams.get("at") === d, planned);
    await page.waitForFunction(() => !document.querySelector(".mode-panel .loading"));
    await settle();
    check((await page.textContent("#time-shown")).includes("as planned for"), "the time control does not say the planned date");
    const listed = (await page.locator("#impact-streams li[data-id]").evaluateAll((els) => els.map((e) => e.dataset.id))).sort();
    const want = api.streams.map((x) => x.element.id).sort();
    check(JSON.stringify(listed) === JSON.stringify(want), `streams as planned ${listed}, the API's ${want}`);
    await shot("26-planned-impact");
    await page.click("#time-now");
    await page.waitForFunction(() => !new URL(location.href).searchParams.has("at"));
  });

  await step("health page: health over time, or where the history starts when it reaches back past it", async () => {
    // This run's history began today: every date of a trend (the start of a day) is before
    // it, so the server refuses and names its horizon; the page says so in words. (The
    // trend charts' drawing is checked on the activity, measure and roadmap charts.)
    const since = new Date(Date.now() - 91 * 86_400_000).toISOString().slice(0, 10);
    const refusal = await gql("query($s: String!) { healthTrend(since: $s, every: WEEK) { points { day score } } }", { s: since }).then(
      (d) => ({ points: d.healthTrend.points }),
      (err) => ({ error: String(err.message) }),
    );
    await page.goto(`${base}/?page=health`);
    await waitReady();
    await page.click("#health-trends-open");
    if (refusal.points) {
      await page.locator("#health-trend canvas").first().waitFor({ timeout: 60_000 });
      const rows = await page.locator("#health-trend .trend-data tbody tr").evaluateAll((els) => els.map((e) => e.querySelector("td")?.textContent ?? ""));
      check(rows.length === refusal.points.length, `${rows.length} dates drawn, the API has ${refusal.points.length}`);
    } else {
      const horizon = /horizon (\S+)/.exec(refusal.error)?.[1];
      check(horizon, `the API refused without a horizon: ${refusal.error}`);
      await page.locator("#health-trend-horizon").waitFor({ timeout: 60_000 });
      check((await page.getAttribute("#health-trend-horizon", "data-horizon")) === horizon, "the page names another horizon than the API");
      const text = await page.textContent("#health-trend-horizon");
      check(text.includes("The change history starts at") && !ISO.test(text), `horizon sentence: ${text}`);
    }
    await shot("27-health-trend");

    // Into the plan: dates after now are the model as planned on each day by lifecycle
    // dates (no history needed), drawn dashed; the chart has the REST trend's points.
    const dayAfter = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const [from, to] = [dayAfter(1), dayAfter(1 + 7 * 3)];
    const planned = await page.evaluate(
      async ([q, t]) => {
        const r = await fetch(`/api/health/trend?${q}`, { headers: t ? { authorization: `Bearer ${t}` } : {} });
        return { status: r.status, body: await r.json() };
      },
      [new URLSearchParams({ since: from, until: to, every: "week" }).toString(), token],
    );
    check(planned.status === 200, `the REST trend into the plan answered ${planned.status}: ${JSON.stringify(planned.body)}`);
    const want = planned.body.points;
    check(want.length === 4 && want.every((p) => p.planned), `the REST trend has ${want.length} points, planned: ${want.map((p) => p.planned)}`);
    await page.selectOption("#trend-every", "week");
    await page.fill("#trend-until", to);
    await page.fill("#trend-since", from);
    await page.locator("#health-trend canvas").first().waitFor({ timeout: 60_000 });
    await page.waitForFunction((n) => Number(document.querySelector("#health-trend")?.getAttribute("data-points")) === n, want.length, { timeout: 60_000 });
    const head = await page.locator("#health-trend .trend-data thead th").allTextContents();
    check(head.includes("Health score (planned)"), `the planned dates are not drawn as such: ${head}`);
    const drawn = await page.locator("#health-trend .trend-data tbody tr").evaluateAll((els) => els.map((e) => e.querySelector("td")?.textContent ?? ""));
    const scores = want.map((p) => (p.score === null ? "" : String(p.score)));
    check(JSON.stringify(drawn) === JSON.stringify(scores), `drawn ${drawn}, the API has ${scores}`);
    // Each planned date is a whole health run (and a ranking): leave once both are drawn, so
    // the next steps' questions find the server's question slots free again.
    await page.locator("#bottleneck-trend").waitFor({ timeout: 60_000 });
    await shot("27b-health-trend-planned");
  });

  await step("stream details: funding over time beside each measure's trend against its target", async () => {
    const api = (await gql(`query($s: String!) { streamInvestment(stream: $s) { currencies funding { date total } measures { measure { id name } target trend points { date value } } } }`, { s: STREAM })).streamInvestment;
    check(api.measures.length > 0 && api.funding.length > 0, `${STREAM} has no measures or funding in the API's answer`);
    await page.goto(`${base}/?n=${STREAM}&sel=${STREAM}`);
    await waitReady();
    await page.locator("#stream-trends .measure-trend").first().waitFor();
    const shown = await page.locator("#stream-trends .measure-trend").evaluateAll((els) => els.map((e) => `${e.dataset.id}:${e.dataset.trend}`));
    const want = api.measures.map((m) => `${m.measure.id}:${m.trend}`);
    check(JSON.stringify(shown) === JSON.stringify(want), `measures shown ${shown}, the API's ${want}`);
    const first = api.measures[0];
    const chart = page.locator(`#measure-${first.measure.id}`);
    await chart.locator("canvas").first().waitFor();
    check((await chart.locator("figcaption").textContent()).includes(`target ${first.target}`), `the chart does not name the target ${first.target}`);
    // The numbers under the chart are the API's: the values, then the target.
    const cells = await chart.locator(".trend-data tbody tr").first().locator("td").allTextContents();
    check(Number(cells[0]) === first.points[0].value && Number(cells[1]) === first.target, `first row ${cells}, the API's value ${first.points[0].value} and target ${first.target}`);
    await page.locator("#stream-funding canvas").first().waitFor();
    const total = await page.locator("#stream-funding .trend-data tbody tr").last().locator("td").first().textContent();
    check(Number(total) === api.funding[api.funding.length - 1].total, `funding total ${total}, the API's ${api.funding[api.funding.length - 1].total}`);
    check((await page.textContent("#stream-funding figcaption")).includes(api.currencies.join(", ")), "the funding chart does not name its currency");
    await shot("22-stream-trends");
  });

  await step("roadmap: each dated step with its health, the impact and the bottlenecks ranked", async () => {
    const due = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    const name = "e2e-roadmap-retire-gateway";
    await gql(`mutation($n: String!, $d: String!, $e: String!) { createScenario(name: $n, effectiveDate: $d, operations: [{ removeElement: { element: $e } }]) { name } }`, { n: name, d: due, e: ROADMAP_REMOVES });
    try {
      const api = (await gql(`query($e: String) { roadmap(element: $e, limit: 5) { steps { index date scenarios healthScore impact { streamCount } bottlenecks { element { id } } } } }`, { e: ROADMAP_REMOVES })).roadmap;
      const step = api.steps.find((x) => x.scenarios.includes(name));
      check(step, `the API's roadmap has no step for ${name}`);
      await page.goto(`${base}/?page=roadmap&of=${ROADMAP_REMOVES}`);
      await waitReady();
      await page.locator("#roadmap li.plateau").first().waitFor();
      check((await page.locator("#roadmap li.plateau").count()) === api.steps.length, `${await page.locator("#roadmap li.plateau").count()} steps shown, the API has ${api.steps.length}`);
      const today = page.locator('#roadmap li.plateau[data-index="0"]');
      check(Number(await today.getAttribute("data-health")) === api.steps[0].healthScore, `today's health ${await today.getAttribute("data-health")}, the API's ${api.steps[0].healthScore}`);
      check(Number(await today.getAttribute("data-impacted")) === api.steps[0].impact.streamCount, "today's impact is not the API's");
      const li = page.locator(`#roadmap li.plateau[data-index="${step.index}"]`);
      check((await li.getAttribute("data-date")) === due && (await li.locator("h2").textContent()).includes(name), `the step for ${name} is not dated ${due}`);
      check(Number(await li.getAttribute("data-health")) === step.healthScore, `the step's health ${await li.getAttribute("data-health")}, the API's ${step.healthScore}`);
      // The gateway is gone on that step: its impact reaches no stream.
      check(Number(await li.getAttribute("data-impacted")) === step.impact.streamCount, `the step's impact ${await li.getAttribute("data-impacted")}, the API's ${step.impact.streamCount}`);
      const ranked = await li.locator(".plateau-bottlenecks li").evaluateAll((els) => els.map((e) => e.dataset.id));
      check(JSON.stringify(ranked) === JSON.stringify(step.bottlenecks.map((b) => b.element.id)), `bottlenecks ${ranked}, the API's ${step.bottlenecks.map((b) => b.element.id)}`);
      await page.locator("#roadmap-chart canvas").first().waitFor();
      check((await page.locator("#roadmap-chart .trend-data tbody tr").count()) === new Set(api.steps.map((x) => x.date)).size, "the chart does not have one row per step date");
      await shot("23-roadmap");
    } finally {
      await gql(`mutation($n: String!) { discardScenario(name: $n) }`, { n: name }).catch(() => {});
    }
  });
}
