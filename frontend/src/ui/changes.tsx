/**
 * "Latest changes" on the overview (Preact): the last change sets (who, when, through what,
 * how many elements and relationships), each linking to what it changed, and the change
 * activity per day drawn as a chart. From the `changes` and `changeSet` queries.
 */
import { useEffect, useState } from "preact/hooks";
import { activityPerDay, type TrendData } from "../charts";
import type { GraphQLClient } from "../gql";
import { History, changeRuns, countsText, throughWhat, type ChangeRun, type Changed } from "../history";
import { nodeStyle } from "../style";
import { graphHref } from "../urlstate";
import { TrendChart } from "./chart";
import "./time.css";
import { When } from "./history";

const SHOWN = 6;
/** Change sets read for the activity chart (the list shows the first few of them). */
const ACTIVITY = 200;

interface Latest {
  total: number;
  shown: number;
  runs: { run: ChangeRun; changed: Changed[]; changedTotal: number }[];
  activity: TrendData;
}

async function loadLatest(client: GraphQLClient): Promise<Latest> {
  const history = new History(client);
  const page = await history.latest(ACTIVITY);
  const runs = changeRuns(page.items).slice(0, SHOWN);
  // What the newest of each run changed: a handful of links each (a reset or an import can
  // change thousands; the count says how many).
  const changed = await Promise.all(runs.map((r) => history.changed(r.newest.seq, 5).catch(() => ({ total: 0, items: [] as Changed[] }))));
  return {
    total: page.total,
    shown: runs.reduce((n, r) => n + r.sets.length, 0),
    runs: runs.map((run, i) => ({ run, changed: changed[i]!.items, changedTotal: changed[i]!.total })),
    activity: activityPerDay(page.items),
  };
}

function ChangedLink({ c }: { c: Changed }) {
  const gone = c.op === "deleted";
  if (c.kind === "relationship") {
    const ends = [c.source, c.target].filter((x): x is string => !!x);
    const text = `${c.name} (${c.type.toLowerCase().replace(/_/g, " ")})`;
    return gone || !ends.length ? (
      <span class="ov-gone" title={`${c.op}: ${c.id}`}>
        {text}
      </span>
    ) : (
      <a class="ov-link" href={graphHref(ends, ends[0])} data-id={ends[0]} data-rel={c.id} title={`${c.op}: open both ends in the graph`}>
        {text}
      </a>
    );
  }
  const dot = <span class="ov-dot" style={{ background: nodeStyle(c.type).color }} aria-hidden="true" />;
  return gone ? (
    <span class="ov-gone" data-id={c.id} title={`deleted ${nodeStyle(c.type).label}`}>
      {dot}
      <s>{c.name}</s>
    </span>
  ) : (
    <a class="ov-link" href={graphHref([c.id], c.id)} data-id={c.id} title={`${c.op} ${nodeStyle(c.type).label}: open in the graph`}>
      {dot}
      {c.name}
    </a>
  );
}

export function LatestChanges({ client }: { client: GraphQLClient }) {
  const [latest, setLatest] = useState<Latest | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadLatest(client).then(setLatest, (err: Error) => setError(err.message));
  }, []);
  return (
    <section class="ov-changes" id="overview-changes" aria-labelledby="overview-changes-title" aria-busy={!latest && !error}>
      <h2 id="overview-changes-title">Latest changes</h2>
      {error ? (
        <p class="error">The change history could not be read: {error}</p>
      ) : !latest ? (
        <p class="loading">Reading the history…</p>
      ) : !latest.runs.length ? (
        <p class="none">No change recorded yet.</p>
      ) : (
        <>
          <ol class="ov-changesets">
            {latest.runs.map(({ run, changed, changedTotal }) => (
              <li data-seq={run.newest.seq} data-action={run.newest.action} data-sets={run.sets.length}>
                <strong class="cs-action">{throughWhat(run.newest)}</strong>
                {run.sets.length > 1 ? <span class="cs-runs"> ×{run.sets.length}</span> : null}
                <div class="sub">
                  by <span class="actor">{run.newest.actor || "unknown"}</span>, <When at={run.newest.at} />
                  {run.sets.length > 1 ? <span> (the newest of {run.sets.length} change sets)</span> : null}
                </div>
                <div class="sub cs-counts">{[countsText(run.elements, "elements"), countsText(run.relationships, "relationships")].filter(Boolean).join("; ") || "nothing"}</div>
                {changed.length ? (
                  <div class="cs-changed">
                    {changed.map((c, i) => (
                      <>
                        {i ? ", " : ""}
                        <ChangedLink c={c} />
                      </>
                    ))}
                    {changedTotal > changed.length ? <span class="sub"> and {(changedTotal - changed.length).toLocaleString("en-GB")} more</span> : null}
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
          {latest.total > latest.shown ? (
            <p class="sub">
              The latest {latest.shown} of {latest.total.toLocaleString("en-GB")} change sets
            </p>
          ) : null}
          <TrendChart id="overview-activity" title={`Changes per day (the last ${Math.min(latest.total, ACTIVITY)} change sets)`} data={latest.activity} height={140} />
        </>
      )}
    </section>
  );
}
