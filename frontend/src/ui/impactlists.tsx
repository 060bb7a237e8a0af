/**
 * The impact answer's long lists as tables that scale (`table.tsx`): who to notify, ranked
 * as the impact report ranks them (accountable owners first, then owning teams, each
 * nearest first), and the other affected elements by list. Counts are the answer's totals;
 * each list comes a page at a time from the server (a table's next page asks for it).
 */
import type { ExplorerContext } from "../context";
import type { AffectedEntry, AffectedList, ImpactList, ImpactResult, NotifyEntry } from "../questions";
import { nodeStyle } from "../style";
import type { ElementBrief } from "../types";
import { ElementButton, tableElement, type Column } from "./table";

type Ranked = NotifyEntry & { rank: number };

/** Asks the server for the next page of one list of the answer shown. */
export type MoreOf = (list: ImpactList) => Promise<void>;

const names = (es: ElementBrief[]): string => es.map((e) => e.name).join(", ");

const OWNERS = "Accountable owners";
const TEAMS = "Owning teams";

export function notifyTable(app: ExplorerContext, r: ImpactResult, more: MoreOf): HTMLElement {
  const lists = r.totals?.lists;
  // Ranked over the whole answer: the owning teams come after every accountable owner.
  const owners = lists?.people ?? r.notify.filter((n) => n.role === "accountable owner").length;
  let ownerRank = 0;
  let teamRank = owners;
  const rows: Ranked[] = r.notify.map((n) => ({ ...n, rank: n.role === "accountable owner" ? ++ownerRank : ++teamRank }));
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
    group: { label: "Role", of: (n) => (n.role === "accountable owner" ? OWNERS : TEAMS) },
    server: lists ? { total: (g) => (g === OWNERS ? lists.people : lists.teams) ?? 0, more: (g) => more(g === OWNERS ? "people" : "teams") } : undefined,
    csvName: `notify-${r.source.id}`,
    empty: "Nobody recorded.",
    note: paged ? "Asked of the server a page at a time; the CSV holds the rows asked so far, the impact report (Markdown, CSV) everyone." : undefined,
  });
}

const LIST_TITLES: Record<AffectedList, string> = { capabilities: "Capabilities", platforms: "Platforms", dataAssets: "Data assets", other: "Other elements" };
const LIST_OF = new Map(Object.entries(LIST_TITLES).map(([list, title]) => [title, list as AffectedList]));

export function affectedTable(app: ExplorerContext, r: ImpactResult, more: MoreOf): HTMLElement {
  const columns: Column<AffectedEntry>[] = [
    { key: "name", label: "Element", value: (e) => e.name, render: (e) => <ElementButton app={app} e={e} /> },
    { key: "type", label: "Type", value: (e) => nodeStyle(e.type).label },
  ];
  const lists = r.totals?.lists;
  return tableElement({
    id: "impact-affected",
    title: "Other affected elements",
    columns,
    rows: r.affected,
    rowKey: (e) => e.id,
    total: r.totals?.affected,
    // By list, each nearest first as the server orders it, with its true count.
    group: lists ? { label: "List", of: (e) => LIST_TITLES[e.list] } : undefined,
    server: lists ? { total: (g) => lists[LIST_OF.get(g) ?? "other"] ?? 0, more: (g) => more(LIST_OF.get(g) ?? "other") } : undefined,
    csvName: `affected-${r.source.id}`,
  });
}
