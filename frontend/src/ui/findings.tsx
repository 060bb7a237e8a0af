/**
 * A health check's findings as a table that scales (`table.tsx`): a page at a time,
 * sortable, a CSV of them all; each element links into the graph (as the health page's
 * links always did), and a finding about several elements shows them together.
 */
import type { Finding, HealthCheck } from "../questions";
import { nodeStyle } from "../style";
import type { ElementBrief } from "../types";
import { graphHref } from "../urlstate";
import { tableElement, type Column } from "./table";

function FindingLink({ e }: { e: ElementBrief }) {
  return (
    <a href={graphHref([e.id], e.id)} class="finding-link" data-id={e.id} title={`${e.name} (${nodeStyle(e.type).label}): open in the graph`}>
      <span class="vt-dot" style={{ background: nodeStyle(e.type).color }} aria-hidden="true" />
      {e.name}
    </a>
  );
}

const others = (f: Finding): ElementBrief[] => f.elements.filter((e) => e.id !== f.element.id);

export function findingsTable(c: HealthCheck): HTMLElement {
  const columns: Column<Finding>[] = [
    { key: "element", label: "Element", value: (f) => f.element.name, render: (f) => <FindingLink e={f.element} /> },
    { key: "type", label: "Type", value: (f) => nodeStyle(f.element.type).label },
    {
      key: "related",
      label: "Related",
      value: (f) => others(f).map((e) => e.name).join("; "),
      render: (f) => {
        const rel = others(f);
        if (!rel.length) return null;
        return (
          <>
            {rel.map((e, i) => (
              <>
                {i ? " · " : ""}
                <FindingLink e={e} />
              </>
            ))}{" "}
            <a href={graphHref([f.element.id, ...rel.map((e) => e.id)], f.element.id)} class="all">
              (show all in graph)
            </a>
          </>
        );
      },
    },
    { key: "detail", label: "Finding", value: (f) => f.message, render: (f) => <span class="message">{f.message}</span> },
  ];
  return tableElement({
    id: `findings-${c.id}`,
    title: "Findings",
    heading: "h3",
    columns,
    rows: c.findings,
    rowKey: (f) => `${f.element.id}|${f.message}`,
    pageSize: 10,
    csvName: `health-${c.id}`,
  });
}
