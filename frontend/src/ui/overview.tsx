/**
 * The landing overview (Preact): the value streams with their stages, the capabilities,
 * platforms and teams beneath them, the stream-to-stream dependencies drawn, key counts,
 * the health score with its worst findings, the top bottlenecks, the latest imports and
 * the latest changes (`changes.tsx`).
 * Every element links into the graph.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ExplorerContext } from "../context";
import type { GraphQLClient } from "../gql";
import { loadOverview, overviewAtHand, type Overview, type Shared, type StreamCard, type StreamMap } from "../overview";
import { nodeStyle } from "../style";
import type { ElementBrief } from "../types";
import { graphHref } from "../urlstate";
import { LatestChanges } from "./changes";
import { MostDependedOn } from "./overview-nostreams";

function El({ e, extra = [] }: { e: ElementBrief; extra?: string[] }) {
  const colour = nodeStyle(e.type).color;
  return (
    <a class="ov-link" href={graphHref([e.id, ...extra], e.id)} data-id={e.id} title={`${e.name} (${nodeStyle(e.type).label}): open in the graph`}>
      <span class="ov-dot" style={{ background: colour }} aria-hidden="true" />
      {e.name}
    </a>
  );
}

function Few({ items, n = 6 }: { items: ElementBrief[]; n?: number }) {
  if (!items.length) return <span class="none">none recorded</span>;
  return (
    <>
      {items.slice(0, n).map((e, i) => (
        <>
          {i ? ", " : ""}
          <El e={e} />
        </>
      ))}
      {items.length > n ? <span class="sub"> and {items.length - n} more</span> : null}
    </>
  );
}

/** The streams on a circle, an arrow for each dependency (a stream depends on the one it points to). */
function StreamMapDrawing({ map }: { map: StreamMap }) {
  const n = map.streams.length;
  const size = Math.max(320, Math.min(640, 80 * n));
  const r = size / 2 - 70;
  const at = new Map(map.streams.map((c, i) => [c.stream.id, { x: size / 2 + r * Math.cos((2 * Math.PI * i) / n - Math.PI / 2), y: size / 2 + r * Math.sin((2 * Math.PI * i) / n - Math.PI / 2) }]));
  return (
    <svg id="overview-map" class="ov-map" viewBox={`0 0 ${size} ${size}`} width={size} height={size} role="img" aria-label={`${n} value streams and ${map.links.length} dependencies between them`}>
      <defs>
        <marker id="ov-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#475569" />
        </marker>
      </defs>
      {map.links.map((l) => {
        const a = at.get(l.source);
        const b = at.get(l.target);
        if (!a || !b) return null;
        // Stop short of the target's circle so the arrow head shows.
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const d = Math.hypot(dx, dy) || 1;
        const k = (d - 22) / d;
        return <line class="ov-dep" data-source={l.source} data-target={l.target} x1={a.x} y1={a.y} x2={a.x + dx * k} y2={a.y + dy * k} stroke="#475569" stroke-width="1.6" marker-end="url(#ov-arrow)" />;
      })}
      {map.streams.map((c) => {
        const p = at.get(c.stream.id)!;
        return (
          <a href={graphHref([c.stream.id], c.stream.id)} data-id={c.stream.id}>
            <title>{`${c.stream.name}: depends on ${c.dependsOn.map((d) => d.name).join(", ") || "no other stream"}`}</title>
            <circle cx={p.x} cy={p.y} r="20" fill={nodeStyle("ValueStream").color} stroke="#1e293b" stroke-width="1.5" />
            <text x={p.x} y={p.y + 36} text-anchor="middle" font-size="12" fill="#111827">
              {c.stream.name}
            </text>
          </a>
        );
      })}
    </svg>
  );
}

function Card({ c, reading }: { c: StreamCard; reading: boolean }) {
  return (
    <article class="ov-card" data-id={c.stream.id}>
      <h3>
        <El e={c.stream} />
      </h3>
      {reading ? (
        <p class="loading sub">Reading its stages and what it rests on…</p>
      ) : c.stages.length ? (
        <ol class="ov-stages" aria-label="Stages">
          {c.stages.map((s) => (
            <li>
              <El e={s} extra={[c.stream.id]} />
            </li>
          ))}
        </ol>
      ) : null}
      {reading ? null : (
      <dl>
        <dt>Capabilities</dt>
        <dd>
          <Few items={c.capabilities} />
        </dd>
        <dt>Platforms</dt>
        <dd>
          <Few items={c.platforms} />
        </dd>
        <dt>Teams</dt>
        <dd>
          <Few items={c.teams} />
        </dd>
        {c.dependsOn.length ? (
          <>
            <dt>Depends on streams</dt>
            <dd>
              <Few items={c.dependsOn} />
            </dd>
          </>
        ) : null}
      </dl>
      )}
    </article>
  );
}

function Layer({ id, title, items }: { id: string; title: string; items: Shared[] }) {
  return (
    <section class="ov-layer" id={id} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {title} ({items.length})
      </h3>
      <ol>
        {items.slice(0, 8).map((s) => (
          <li>
            <El e={s.element} /> <span class="sub">{s.streams.length === 1 ? "1 stream" : `${s.streams.length} streams`}</span>
          </li>
        ))}
      </ol>
      {items.length > 8 ? <p class="sub">and {items.length - 8} more, each resting under fewer streams</p> : null}
    </section>
  );
}

function OverviewView({ o, client }: { o: Overview; client: GraphQLClient }) {
  const { map, health } = o;
  const reading = o.pending.includes("map");
  return (
    <>
      {/* The model in a sentence: drawn with the first, cheap answer, and the largest text on
          the page, so that the first meaningful paint is also the largest one. */}
      <p class="ov-lead" id="overview-lead">
        {o.summary}
      </p>
      <ul class="ov-counts" id="overview-counts" aria-label="Elements by type">
        {o.counts.map((c) => (
          <li data-type={c.label}>
            <strong>{c.count.toLocaleString("en-GB")}</strong> {nodeStyle(c.label).label}
          </li>
        ))}
      </ul>
      <div class="ov-top">
        <section class="ov-health" id="overview-health" aria-labelledby="overview-health-title">
          <h2 id="overview-health-title">Health</h2>
          {o.pending.includes("health") ? (
            <p class="loading" role="status">Running the checks…</p>
          ) : health ? (
            <>
              <p class="ov-score">
                <strong id="overview-health-score">{health.score === null ? "not applicable" : health.score}</strong> / 100
              </p>
              <ul>
                {o.worst.map((c) => (
                  <li data-check={c.id}>
                    <span class="check-score">{c.score}</span> {c.title}: {c.offending} of {c.population} {c.unit}
                    <div class="sub">
                      <Few items={c.findings.map((f) => f.element)} n={3} />
                    </div>
                  </li>
                ))}
              </ul>
              <a href="?page=health">The whole report</a>
            </>
          ) : (
            <p class="error">The health report could not be read.</p>
          )}
        </section>
        <section class="ov-bottlenecks" id="overview-bottlenecks" aria-labelledby="overview-bn-title">
          <h2 id="overview-bn-title">{map.total ? "Top bottlenecks" : "Most depended-on teams and platforms"}</h2>
          {o.errors.length ? <p class="error">{o.errors.join("; ")}</p> : null}
          {o.pending.includes("bottlenecks") ? <p class="loading" role="status">Ranking bottlenecks…</p> : null}
          <ol>
            {o.bottlenecks.map((b) => (
              <li data-id={b.element.id}>
                <El e={b.element} /> <span class="sub">score {b.score}</span>
              </li>
            ))}
          </ol>
          <a href="?mode=bottleneck">Bottleneck mode</a>
        </section>
        <section class="ov-imports" id="overview-imports" aria-labelledby="overview-imports-title">
          <h2 id="overview-imports-title">Latest imports</h2>
          {o.imports.length ? (
            <ul>
              {o.imports.map((r) => (
                <li data-id={r.id}>
                  <strong>{r.source}</strong> ({r.format}) <span class="sub">{r.startedAt.slice(0, 16).replace("T", " ")}</span>
                  {r.written !== null ? <span class="sub"> · {r.written.toLocaleString("en-GB")} written</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="none">No import recorded yet.</p>
          )}
          <a href="?page=import">Import a file</a>
        </section>
        <LatestChanges client={client} />
      </div>
      {map.total ? (
        <>
          <section class="ov-streams" aria-labelledby="overview-streams-title">
            <h2 id="overview-streams-title">
              Value streams ({map.streams.length < map.total ? `${map.streams.length} of ${map.total}` : map.total}) and how they depend on each other
            </h2>
            <div class="ov-map-row">
              <StreamMapDrawing map={map} />
              <p class="hint">
                {reading ? "Reading how the streams depend on each other…" : `An arrow points from a stream to a stream it depends on (${map.links.length} in all).`} Click a stream to open it in the graph.
              </p>
            </div>
            <div class="ov-cards" id="overview-streams" aria-busy={reading}>
              {map.streams.map((c) => (
                <Card c={c} reading={reading} />
              ))}
            </div>
          </section>
          {reading ? null : (
            <section class="ov-layers" aria-label="What the streams rest on">
              <Layer id="overview-capabilities" title="Capabilities they require" items={map.capabilities} />
              <Layer id="overview-platforms" title="Platforms they use" items={map.platforms} />
              <Layer id="overview-teams" title="Teams serving them" items={map.teams} />
            </section>
          )}
        </>
      ) : (
        <div id="overview-no-streams">
          <MostDependedOn list={o.dependedOn} />
        </div>
      )}
    </>
  );
}

function OverviewPage({ app }: { app: ExplorerContext }) {
  // The page's embedded answers draw the overview at once (the server drew its lead
  // sentence already: no "Reading" in between), the stream map's cards in the next task.
  const [o, setO] = useState<Overview | null>(() => {
    const atHand = overviewAtHand(app.api.client);
    return atHand?.map.total ? atHand : null;
  });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Complete from the page's answers: nothing is asked (they are taken, so that a later
    // visit asks afresh) and nothing drawn again.
    if (o && !o.pending.length) {
      void loadOverview(app.api.client, app.questions);
      return;
    }
    // Drawn as it is known: the summary, counts and stream names first (asked while the
    // explorer started), then the stream map, health and bottlenecks when answered.
    loadOverview(app.api.client, app.questions, setO).then(setO, (err: Error) => setError(err.message));
  }, []);
  return (
    <div class="overview" id="overview" aria-busy={(!o || o.pending.length > 0) && !error}>
      <h1>The operating model at a glance</h1>
      {error ? <p class="error">The overview could not be read: {error}</p> : o ? <OverviewView o={o} client={app.api.client} /> : <p class="loading">Reading the model…</p>}
    </div>
  );
}

export function renderOverviewPage(app: ExplorerContext, root: HTMLElement): void {
  render(null, root); // each visit reads the model afresh
  // What the server drew into the page (app/explorer.py) is not Preact's to replace: gone
  // in the same task as the overview is drawn, so nothing blank is ever painted between.
  root.replaceChildren();
  render(<OverviewPage app={app} />, root);
}
