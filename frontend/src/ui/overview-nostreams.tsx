/**
 * The overview of a model without value streams (an ArchiMate model of applications and
 * processes): the elements others need most directly and who answers for them (owning
 * teams, accountable people), as a sortable table with a CSV; every element links into
 * the graph. Key counts and health stay above it, as for any model.
 */
import type { DependedOn, DependedOnList } from "../overview";
import { nodeStyle } from "../style";
import type { ElementBrief } from "../types";
import { graphHref } from "../urlstate";
import { DataTable, type Column } from "./table";

function Link({ e, with: also = [] }: { e: ElementBrief; with?: string[] }) {
  return (
    <a class="ov-link" href={graphHref([e.id, ...also], e.id)} data-id={e.id} title={`${e.name} (${nodeStyle(e.type).label}): open in the graph`}>
      <span class="ov-dot" style={{ background: nodeStyle(e.type).color }} aria-hidden="true" />
      {e.name}
    </a>
  );
}

function Links({ items, of }: { items: ElementBrief[]; of: ElementBrief }) {
  if (!items.length) return <span class="none">none recorded</span>;
  return (
    <>
      {items.map((e, i) => (
        <>
          {i ? ", " : ""}
          <Link e={e} with={[of.id]} />
        </>
      ))}
    </>
  );
}

const names = (es: ElementBrief[]): string => es.map((e) => e.name).join("; ");

export function MostDependedOn({ list }: { list: DependedOnList | null }) {
  if (!list) return <p class="error">The most depended-on elements could not be read.</p>;
  const columns: Column<DependedOn>[] = [
    { key: "element", label: "Element", value: (d) => d.element.name, render: (d) => <Link e={d.element} /> },
    { key: "type", label: "Type", value: (d) => nodeStyle(d.element.type).label },
    { key: "dependents", label: "Needed by", value: (d) => d.dependents, numeric: true },
    { key: "owners", label: "Owning teams", value: (d) => names(d.owners), render: (d) => <Links items={d.owners} of={d.element} /> },
    { key: "accountable", label: "Accountable", value: (d) => names(d.accountable), render: (d) => <Links items={d.accountable} of={d.element} /> },
  ];
  return (
    <section class="ov-depended" id="overview-depended-on" aria-labelledby="overview-depended-title">
      <h2 id="overview-depended-title">Most depended-on elements</h2>
      <p class="hint">
        This model has no value streams, so there is no stream map: these are the elements others need most directly (they require, use, depend on or read them), with the
        teams that own them and the people accountable for them. Add value streams (an import or a scenario) to see the stream map.
      </p>
      <DataTable
        id="overview-depended-list"
        title="Needed most"
        heading="h3"
        columns={columns}
        rows={list.items}
        rowKey={(d) => d.element.id}
        total={list.total}
        csvName="most-depended-on"
        empty="Nothing in this model needs anything else yet."
        note={list.total > list.items.length ? `The ${list.items.length} most needed of the ${list.total.toLocaleString("en-GB")} elements something needs.` : undefined}
      />
    </section>
  );
}
