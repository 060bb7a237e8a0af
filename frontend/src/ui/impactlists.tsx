/**
 * The impact answer's long lists as tables that scale (`table.tsx`): who to notify, ranked
 * as the impact report ranks them (accountable owners first, then owning teams, each
 * nearest first), and the other affected elements. Counts are the answer's totals.
 */
import type { ExplorerContext } from "../context";
import type { ImpactResult, NotifyEntry } from "../questions";
import { nodeStyle } from "../style";
import type { ElementBrief } from "../types";
import { ElementButton, tableElement, type Column } from "./table";

type Ranked = NotifyEntry & { rank: number };

const names = (es: ElementBrief[]): string => es.map((e) => e.name).join(", ");

export function notifyTable(app: ExplorerContext, r: ImpactResult): HTMLElement {
  const rows: Ranked[] = r.notify.map((n, i) => ({ ...n, rank: i + 1 }));
  const columns: Column<Ranked>[] = [
    { key: "rank", label: "Rank", value: (n) => n.rank, numeric: true },
    {
      key: "who",
      label: "Who",
      value: (n) => n.element.name,
      render: (n) => (
        <>
          <ElementButton app={app} e={n.element} />
          <div class="sub">{names(n.about) || n.reason}</div>
        </>
      ),
    },
    { key: "type", label: "Type", value: (n) => nodeStyle(n.element.type).label, csvOnly: true },
    { key: "distance", label: "Hops", value: (n) => n.distance, numeric: true },
    { key: "about", label: "About", value: (n) => names(n.about) || n.reason, csvOnly: true },
  ];
  const paged = r.totals && r.totals.notify > r.notify.length;
  return tableElement({
    id: "impact-notify",
    title: "Teams and people to notify",
    columns,
    rows,
    rowKey: (n) => n.element.id,
    total: r.totals?.notify,
    group: { label: "Role", of: (n) => (n.role === "accountable owner" ? "Accountable owners" : "Owning teams") },
    csvName: `notify-${r.source.id}`,
    empty: "Nobody recorded.",
    note: paged ? "The first page the server answered is listed; the impact report (Markdown, CSV) holds everyone." : undefined,
  });
}

export function affectedTable(app: ExplorerContext, r: ImpactResult): HTMLElement {
  const columns: Column<ElementBrief>[] = [
    { key: "name", label: "Element", value: (e) => e.name, render: (e) => <ElementButton app={app} e={e} /> },
    { key: "type", label: "Type", value: (e) => nodeStyle(e.type).label },
  ];
  return tableElement({
    id: "impact-affected",
    title: "Other affected elements",
    columns,
    rows: r.affected,
    rowKey: (e) => e.id,
    total: r.totals?.affected,
    csvName: `affected-${r.source.id}`,
  });
}
