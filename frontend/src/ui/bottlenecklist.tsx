/** The bottleneck ranking as a table that scales (`table.tsx`): paged, sortable, a CSV of every row. */
import type { ExplorerContext } from "../context";
import type { BottleneckItem } from "../questions";
import { nodeStyle } from "../style";
import { ElementButton, tableElement, type Column } from "./table";

type Ranked = BottleneckItem & { rank: number };

const score = (s: number): string => (Number.isInteger(s) ? String(s) : s.toFixed(2));

export function rankingTable(app: ExplorerContext, items: BottleneckItem[]): HTMLElement {
  const rows: Ranked[] = items.map((it, i) => ({ ...it, rank: i + 1 }));
  const columns: Column<Ranked>[] = [
    { key: "rank", label: "#", value: (r) => r.rank, numeric: true },
    {
      key: "element",
      label: "Element",
      value: (r) => r.element.name,
      render: (r) => (
        <>
          <ElementButton app={app} e={r.element} />
          {r.explanation ? <div class="why">{r.explanation}</div> : null}
        </>
      ),
    },
    { key: "type", label: "Type", value: (r) => nodeStyle(r.element.type).label, csvOnly: true },
    { key: "streams", label: "Streams", value: (r) => r.metrics.streamCount ?? null, numeric: true, csvOnly: true },
    { key: "why", label: "Explanation", value: (r) => r.explanation, csvOnly: true },
    { key: "score", label: "Score", value: (r) => r.score, render: (r) => score(r.score), numeric: true },
  ];
  return tableElement({
    id: "bottleneck-ranking",
    title: "Ranking",
    columns,
    rows,
    rowKey: (r) => r.element.id,
    pageSize: 15,
    csvName: "bottlenecks",
  });
}
