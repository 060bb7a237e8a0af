// The explorer's time steps (issue #16 item 5), run by explorer.e2e.mjs in the same browser:
// the history panel of an element, the latest changes on the overview and their chart.
// Every step checks content against the API's own answer, not only that something shows.

/** The element edited through the API so that its history has updates to show and to page. */
const EDITED = process.env.E2E_HISTORY_ELEMENT ?? "plat-document-mgmt";
const EDITS = 10;
const PAGE = 10;
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

    // Paged: the oldest version (its creation) is on the next page.
    check((await page.textContent("#history-range")).trim() === `1–${PAGE} of ${total}`, `range: ${await page.textContent("#history-range")}`);
    await page.click("#history-older");
    await page.waitForFunction((want) => document.getElementById("history-range")?.textContent?.startsWith(want), `${PAGE + 1}–`);
    const older = page.locator("#history .version");
    check((await older.count()) === total - PAGE, `the second page holds ${await older.count()} versions, expected ${total - PAGE}`);
    const oldest = older.nth((await older.count()) - 1);
    check((await oldest.getAttribute("data-op")) === "created", `the oldest version is "${await oldest.getAttribute("data-op")}", not the creation`);
    check((await oldest.locator("summary").textContent()).startsWith("Created with"), "the creation does not list what it was created with");
    await page.click("#history-newer");
    await page.waitForFunction(() => document.getElementById("history-range")?.textContent?.startsWith("1–"));
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
    const today = await page.locator("#overview-activity tbody tr").last().locator("td").first().textContent();
    check(Number(today) >= EDITS, `today's element changes in the chart: ${today}, expected at least ${EDITS}`);
    await shot("21-overview-changes");
    await newest.locator(`a[data-id="${EDITED}"]`).click();
    await waitReady();
    await page.waitForFunction((x) => window.valuegraph.state.selected === x && window.valuegraph.state.page === "graph", EDITED);
    await settle();
  });
}
