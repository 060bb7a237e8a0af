/**
 * Trend charts (Preact): health and the bottleneck ranking over time on the health page,
 * a stream's measures against their targets beside its funding in the details panel, and
 * the roadmap's plateaus step by step. Data from `TimeReads` (src/trends.ts), drawn with
 * `TrendChart`.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { bottleneckTrendChart, fundingChart, healthTrendChart, measureChart, rankMoves, roadmapChart, type BottleneckPoint, type HealthPoint, type Plateau, type StreamTrends, type TimeReads } from "../trends";
import { humanTime } from "../history";
import { SERVER_TIME } from "../time";
import { graphHref } from "../urlstate";
import { TrendChart } from "./chart";
import "./time.css";

type Every = "day" | "week" | "month";

/** Thirteen weeks back, as the default start of a trend (each date is a health run). */
function yearAgo(now = Date.now()): string {
  return new Date(now - 91 * 86_400_000).toISOString().slice(0, 10);
}

function useRead<T>(read: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setData(null);
    setError(null);
    read().then(
      (d) => live && setData(d),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, deps);
  return { data, error };
}

/**
 * A trend refused because it reaches back past the change history's start (or its last
 * prune) says so in words, with the moment the history starts: the dates of a trend are
 * the start of each day, so the first one it can draw is the day after.
 */
function TrendError({ what, message }: { what: string; message: string }) {
  const horizon = /horizon (\S+)/.exec(message)?.[1];
  if (horizon) {
    return (
      <p class="note trend-horizon" id={`${what}-trend-horizon`} data-horizon={horizon}>
        The change history starts at {humanTime(horizon)}: the {what} trend can be drawn from the start of the next day (UTC) on. Choose a later “since”.
      </p>
    );
  }
  return (
    <p class="error">
      The {what} trend could not be read: {message}
    </p>
  );
}

export function HealthTrends({ reads }: { reads: TimeReads }) {
  const [every, setEvery] = useState<Every>("week");
  const [since, setSince] = useState(yearAgo());
  // Empty: today. A later day runs the trend into the plan (drawn dashed).
  const [until, setUntil] = useState("");
  const health = useRead<HealthPoint[]>(() => reads.healthTrend(every, since, until || null), [every, since, until]);
  const bottlenecks = useRead<BottleneckPoint[]>(() => reads.bottleneckTrend(every, since, 5, until || null), [every, since, until]);
  // The checks that moved most are drawn beside the score.
  const moved = (health.data ?? []).length
    ? [...new Set(health.data!.flatMap((p) => p.checks.map((c) => c.id)))]
        .map((id) => {
          const s = health.data!.map((p) => p.checks.find((c) => c.id === id)?.score ?? null).filter((v): v is number => v !== null);
          return { id, range: s.length ? Math.max(...s) - Math.min(...s) : 0 };
        })
        .filter((c) => c.range > 0)
        .sort((a, b) => b.range - a.range)
        .slice(0, 3)
        .map((c) => c.id)
    : [];
  return (
    <section class="trends" id="health-trends" aria-labelledby="health-trends-title">
      <h2 id="health-trends-title">Over time</h2>
      <p class="time-control">
        <label for="trend-every">Every</label>
        <select id="trend-every" value={every} onChange={(e) => setEvery((e.target as HTMLSelectElement).value as Every)}>
          <option value="day">day</option>
          <option value="week">week</option>
          <option value="month">month</option>
        </select>
        <label for="trend-since">since</label>
        <input id="trend-since" type="date" value={since} onChange={(e) => setSince((e.target as HTMLInputElement).value || yearAgo())} />
        <label for="trend-until" title="Dates after today are the model as planned by lifecycle dates">until</label>
        <input id="trend-until" type="date" value={until} onChange={(e) => setUntil((e.target as HTMLInputElement).value)} />
      </p>
      {health.error ? <TrendError what="health" message={health.error} /> : health.data ? <TrendChart id="health-trend" title="Health score (and the checks that moved most)" data={healthTrendChart(health.data, moved)} /> : <p class="loading">Computing the health at each date…</p>}
      {bottlenecks.error ? (
        <TrendError what="bottleneck" message={bottlenecks.error} />
      ) : bottlenecks.data ? (
        <TrendChart id="bottleneck-trend" title="Bottleneck scores of today's top five" data={bottleneckTrendChart(bottlenecks.data, 5)} />
      ) : (
        <p class="loading">Ranking the bottlenecks at each date…</p>
      )}
    </section>
  );
}

export function StreamTrendsView({ reads, streamId }: { reads: TimeReads; streamId: string }) {
  const { data, error } = useRead<StreamTrends>(() => reads.streamTrends(streamId), [streamId]);
  if (error) return <p class="error">The stream's trends could not be read: {error}</p>;
  if (!data) return <p class="loading">Reading the measures and funding…</p>;
  return (
    <section class="trends" id="stream-trends" aria-labelledby="stream-trends-title">
      <h3 id="stream-trends-title">Investment and outcomes</h3>
      {data.funding.length ? (
        <TrendChart id="stream-funding" title={`Funding over time${data.currencies.length ? ` (${data.currencies.join(", ")})` : ""}`} data={fundingChart(data.funding, data.total)} height={140} />
      ) : (
        <p class="none">No funding line recorded.</p>
      )}
      {data.measures.length ? (
        data.measures.map((m) => (
          <div class="measure-trend" data-id={m.measure.id} data-trend={m.trend}>
            <TrendChart
              id={`measure-${m.measure.id}`}
              title={`${m.measure.name}: ${TREND_WORDS[m.trend] ?? m.trend.toLowerCase()}${m.target !== null ? `, target ${m.target}${m.unit ? ` ${m.unit}` : ""}` : ""}${m.onTarget === true ? " (met)" : m.onTarget === false ? " (not met)" : ""}`}
              data={measureChart(m)}
              height={140}
            />
          </div>
        ))
      ) : (
        <p class="none">No measure recorded.</p>
      )}
    </section>
  );
}

const TREND_WORDS: Record<string, string> = { IMPROVING: "improving", WORSENING: "worsening", STEADY: "steady", UNKNOWN: "trend unknown" };

export function RoadmapView({ reads, element }: { reads: TimeReads; element: string | null }) {
  const { data, error } = useRead<Plateau[]>(() => reads.roadmap(element), [element]);
  return (
    <div class="roadmap" id="roadmap" aria-busy={!data && !error}>
      <h1>Roadmap</h1>
      {error ? (
        <p class="error">The roadmap could not be read: {error}</p>
      ) : !data ? (
        <p class="loading">Computing each step…</p>
      ) : !data.length ? (
        <p class="none">No dated step yet: give a scenario an effective date.</p>
      ) : (
        <>
          <TrendChart id="roadmap-chart" title="Health step by step" data={roadmapChart(data)} />
          <ol class="plateaus">
            {data.map((p, i) => {
              const moves = rankMoves(data[i - 1], p);
              return (
                <li class="plateau" data-date={p.date} data-index={p.index} data-health={p.health ?? ""} data-impacted={p.impacted ?? ""}>
                  <h2>
                    {p.name} <span class="sub">{p.date}</span>
                    {p.overdue ? <span class="error"> overdue: due before today, not applied</span> : null}
                  </h2>
                  {p.problems.length ? <p class="error">Left out (no longer applies): {p.problems.join("; ")}</p> : null}
                  <p>
                    Health <strong class="plateau-health">{p.health ?? "n/a"}</strong>
                    {p.findings !== null ? `, ${p.findings} findings` : ""}
                    {p.impacted !== null ? `, the impact reaches ${p.impacted} stream${p.impacted === 1 ? "" : "s"}` : ""}.{" "}
                    {SERVER_TIME.planned && p.index > 0 ? <a href={`?at=${encodeURIComponent(p.date)}&page=graph`}>The model at this step</a> : null}
                  </p>
                  <ol class="plateau-bottlenecks">
                    {p.bottlenecks.map((b) => {
                      const m = moves.get(b.element.id);
                      return (
                        <li data-id={b.element.id}>
                          <a href={graphHref([b.element.id], b.element.id)}>{b.element.name}</a> <span class="sub">score {b.score}</span>
                          {i ? <span class="sub">{m === null || m === undefined ? " new" : m < 0 ? ` ↑${-m}` : m > 0 ? ` ↓${m}` : " ="}</span> : null}
                        </li>
                      );
                    })}
                  </ol>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </div>
  );
}

/** Health over time for the health page: drawn when asked (each date is a whole health run). */
export function healthTrendsSection(reads: TimeReads): HTMLElement {
  const el = document.createElement("div");
  el.className = "health-trends-slot";
  const open = document.createElement("button");
  open.type = "button";
  open.id = "health-trends-open";
  open.textContent = "Draw health and bottlenecks over time";
  open.addEventListener("click", () => render(<HealthTrends reads={reads} />, el));
  el.appendChild(open);
  return el;
}

export function mountRoadmap(reads: TimeReads, element: string | null, slot: HTMLElement): void {
  render(null, slot);
  render(<RoadmapView reads={reads} element={element} />, slot);
}

// Kept across the details panel's rebuilds while the same stream is shown (as the history).
let keptStream: { key: string; el: HTMLElement } | null = null;

/** A value stream's investment and outcome charts, for the details panel. */
export function streamTrendsSection(reads: TimeReads, streamId: string, version: string): HTMLElement {
  const key = `${streamId}@${version}`;
  if (keptStream?.key === key) return keptStream.el;
  const el = document.createElement("div");
  el.className = "stream-trends-slot";
  render(<StreamTrendsView reads={reads} streamId={streamId} />, el);
  keptStream = { key, el };
  return el;
}
