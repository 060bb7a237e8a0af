/**
 * The details panel's neighbours as one table that scales (`table.tsx`): grouped by
 * relationship field (collapsible; long groups start closed), a page of rows per group,
 * sortable, and a CSV of every neighbour loaded. A team with hundreds of members draws a
 * page of them, not hundreds of buttons.
 */
import type { NeighbourLink } from "../api";
import type { ExplorerContext } from "../context";
import { nodeStyle, relLabel } from "../style";
import { ElementButton, tableElement, type Column } from "./table";

/** Groups longer than this start collapsed (as the panel's lists did). */
const OPEN_UP_TO = 12;

function value(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-GB") : String(v);
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function attributes(l: NeighbourLink): string {
  return Object.entries(l.attributes)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${value(v)}`)
    .join(", ");
}

export function neighbourTable(app: ExplorerContext, id: string, groups: [string, NeighbourLink[]][]): HTMLElement {
  const rows = groups.flatMap(([, ls]) => ls);
  const first = new Map(groups.map(([field, ls]) => [field, ls[0]!]));
  const columns: Column<NeighbourLink>[] = [
    {
      key: "name",
      label: "Neighbour",
      value: (l) => l.neighbour.name,
      render: (l) => (
        <>
          <ElementButton app={app} e={l.neighbour} />
          {attributes(l) ? <div class="sub attrs">{attributes(l)}</div> : null}
        </>
      ),
    },
    { key: "type", label: "Type", value: (l) => nodeStyle(l.neighbour.type).label },
    { key: "attrs", label: "Attributes", value: attributes, csvOnly: true },
  ];
  return tableElement({
    id: "neighbour-list",
    stateKey: `neighbours:${id}`,
    title: "Neighbours",
    heading: null,
    columns,
    rows,
    rowKey: (l) => l.edgeId,
    group: {
      label: "Relationship",
      of: (l) => l.field,
      title: (field) => {
        const l = first.get(field);
        return (
          <>
            {field}
            {l ? <span class="rel-name"> {`${l.outgoing ? "→" : "←"} ${relLabel(l.rel)}`}</span> : null}
          </>
        );
      },
    },
    collapsed: (_, rs) => rs.length > OPEN_UP_TO,
    pageSize: 20,
    csvName: `neighbours-${id}`,
  });
}
