/**
 * A trend chart (Preact around uPlot, see frontend/README.md): a time axis and one or more
 * series from `charts.ts`, with a legend, and the same numbers as a table beneath (for
 * screen readers, for copying, and what the end-to-end test reads).
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { total, type TrendData } from "../charts";

const dateOf = (s: number): string => new Intl.DateTimeFormat("en-GB", { dateStyle: "medium" }).format(s * 1000);

function options(data: TrendData, width: number, height: number): uPlot.Options {
  // Bars of several series overlap, each narrower than the one before, so all show.
  const bars = (i: number) => (data.bars ? uPlot.paths.bars?.({ size: [Math.max(0.2, 0.7 - 0.25 * i), 48] }) : undefined);
  return {
    width,
    height,
    // A point in time is a date here, never a time of day.
    series: [
      { label: "Date", value: (_u, v) => (v === null ? "" : dateOf(v)) },
      ...data.series.map((s, i) => ({
        label: s.label,
        stroke: s.colour,
        width: 2,
        dash: s.dashed ? [6, 4] : undefined,
        fill: data.bars ? `${s.colour}99` : undefined,
        paths: bars(i),
        points: { show: data.x.length < 40 },
        spanGaps: false,
      })),
    ],
    scales: {
      // One date alone gets a day either side (an axis of no width draws nothing readable).
      x: { time: true, range: (_u, min, max) => (min === max ? [min - 86_400, max + 86_400] : [min - 43_200, max + 43_200]) },
      y: data.yRange ? { range: data.yRange } : { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
    },
    axes: [{}, { label: data.unit, size: 50 }],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
  };
}

export function TrendChart({ id, title, data, height = 200 }: { id: string; title: string; data: TrendData; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el || !data.x.length) return;
    const width = Math.max(260, Math.min(900, el.clientWidth || 480));
    const plot = new uPlot(options(data, width, height), [data.x, ...data.series.map((s) => s.values)] as uPlot.AlignedData, el);
    return () => plot.destroy();
  }, [data, height]);
  return (
    <figure class="trend-chart" id={id} data-points={data.x.length}>
      <figcaption>{title}</figcaption>
      {data.x.length ? <div class="trend-plot" ref={host} role="img" aria-label={`${title}: ${data.series.map((s) => `${s.label} ${total(s)}`).join(", ")}`} /> : <p class="none">Nothing to draw yet.</p>}
      {data.x.length ? (
        <details class="trend-data">
          <summary>The numbers</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">Date</th>
                {data.series.map((s) => (
                  <th scope="col">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.x.map((x, i) => (
                <tr data-x={x}>
                  <th scope="row">{dateOf(x)}</th>
                  {data.series.map((s) => (
                    <td>{s.values[i] ?? ""}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </figure>
  );
}
