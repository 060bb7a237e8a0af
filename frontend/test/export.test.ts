import { describe, expect, it } from "vitest";
import { exportTitle, pngScale, renderSvg, shapeElement, wrapLabel, xml, type Scene, type SceneNode } from "../src/export";
import { buildLegend } from "../src/legend";
import { defaultState } from "../src/urlstate";
import { labelScale, seededRandom, stableSeed } from "../src/stable";
import { viewFieldErrors, viewIdOf, viewLink } from "../src/savedviews";
import { GraphQLError } from "../src/gql";

function node(id: string, type: string, label: string, shape: string, x: number, extra: Partial<SceneNode> = {}): SceneNode {
  return {
    id,
    type,
    label,
    shape,
    x,
    y: 0,
    w: 40,
    h: 40,
    fill: "#CC79A7",
    fillOpacity: 1,
    borderWidth: 1,
    borderColor: "#ffffff",
    borderStyle: "solid",
    opacity: 1,
    fontSize: 11,
    fontWeight: "normal",
    underlay: null,
    compound: false,
    ...extra,
  };
}

const scene: Scene = {
  title: "Impact of a change to API <Gateway>",
  subtitle: "3 elements",
  nodes: [
    node("group:team:t", "Group", "Team & Co", "round-rectangle", 50, { compound: true, w: 200, h: 100 }),
    node("p-ann", "Person", "Ann Example", "round-triangle", 0),
    node("plat-gw", "Platform", "API Gateway with a long name that wraps", "barrel", 100),
  ],
  edges: [
    { id: "e1", rel: "OWNS", points: [[0, 0], [50, -20], [100, 0]], color: "#059669", width: 1.5, line: "dotted", opacity: 1, arrow: true, arrowScale: 0.9, label: "owns", labelAt: [50, -10] },
  ],
  bounds: { x1: -30, y1: -60, x2: 160, y2: 60 },
  legend: buildLegend({ types: ["Person", "Platform"], rels: ["OWNS"], heat: { title: "Bottleneck score", low: 0, high: 9 }, grouping: "team", groups: 1 }),
};

describe("SVG export", () => {
  const { svg, width, height } = renderSvg(scene);

  it("has the title, subtitle and legend, escaped", () => {
    expect(svg).toContain('<text class="title" x="24" y="30" font-size="20" font-weight="bold" fill="#111827">Impact of a change to API &lt;Gateway&gt;</text>');
    expect(svg).toContain(">3 elements</text>");
    expect(svg).toContain(">Legend</text>");
    expect(svg).toContain(">Bottleneck score</text>");
    expect(svg).toContain('stop-color="#ffeda0"');
    expect(svg).toContain(">9 (high)</text>");
    for (const label of ["Person", "Platform", "Organisation (owns, supports, member, accountable)", "Group by owning team"]) expect(svg).toContain(`>${xml(label)}</text>`);
    expect(width).toBeGreaterThan(190 + 330);
    expect(height).toBeGreaterThan(120);
  });

  it("draws every node with its shape and whole label, groups under the nodes", () => {
    expect(svg).toMatch(/<g class="node" data-id="p-ann" data-type="Person" opacity="1"><title>Ann Example<\/title><polygon data-shape="round-triangle" points="0,-20 20,20 -20,20" stroke-linejoin="round"/);
    expect(svg).toContain('<path data-shape="barrel"');
    const label = /data-id="plat-gw"[^]*?<text class="label"[^>]*>(.*?)<\/text>/.exec(svg)![1]!;
    expect(label.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim()).toBe("API Gateway with a long name that wraps");
    expect(label.match(/<tspan/g)!.length).toBeGreaterThan(1);
    expect(svg.indexOf('class="group"')).toBeLessThan(svg.indexOf('class="node"'));
    expect(svg).toContain(">Team &amp; Co</tspan>");
  });

  it("draws edges as their curves with an arrow, a dash for dotted lines and the label", () => {
    expect(svg).toContain('<path d="M0,0 Q50,-20 100,0" fill="none" stroke="#059669" stroke-width="1.5" stroke-dasharray="1.5 3" stroke-linecap="round"/>');
    expect(svg).toMatch(/<polygon class="arrow" points="100,0 /);
    expect(svg).toContain(">owns</text>");
  });

  it("is well-formed XML whatever the names hold", () => {
    expect(xml("a\u0000b\u0007c & <d> \"e\" \uD800")).toBe("abc &amp; &lt;d&gt; &quot;e&quot; \uFFFD");
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it("knows Cytoscape's shapes", () => {
    expect(shapeElement("ellipse", 0, 0, 10, 20, 'fill="red"')).toBe('<ellipse data-shape="ellipse" cx="0" cy="0" rx="5" ry="10" fill="red"/>');
    expect(shapeElement("diamond", 0, 0, 10, 10, "")).toContain('points="0,-5 5,0 0,5 -5,0"');
    expect(shapeElement("round-rectangle", 0, 0, 40, 20, "")).toContain('rx="5"');
    expect(shapeElement("cut-rectangle", 0, 0, 40, 40, "")).toContain("<polygon");
  });

  it("wraps labels on words and keeps the PNG within a canvas browsers accept", () => {
    expect(wrapLabel("Identity and KYC platform of the bank", 120, 11)).toEqual(["Identity and KYC", "platform of the", "bank"]);
    expect(pngScale(1000, 800)).toBe(2);
    expect(pngScale(20000, 100)).toBeCloseTo(0.4);
  });

  it("titles what the view shows", () => {
    const name = (id: string) => ({ "plat-gw": "API Gateway", "vs-a": "Cards" })[id] ?? id;
    expect(exportTitle({ ...defaultState(), mode: "impact", impactOf: "plat-gw" }, name)).toBe("Impact of a change to API Gateway");
    expect(exportTitle({ ...defaultState(), mode: "impact", impactOf: "plat-gw", impactDir: "path", pathTo: "vs-a" }, name)).toBe("Dependency path from API Gateway to Cards");
    expect(exportTitle({ ...defaultState(), mode: "scenario", scenario: "No gateway" }, name)).toBe("Scenario “No gateway” compared with the base model");
    expect(exportTitle({ ...defaultState(), selected: "vs-a" }, name)).toBe("valuegraph: the graph around Cards");
  });
});

describe("stable drawings", () => {
  it("seeds the layout from what is drawn, in any order", () => {
    expect(stableSeed(["b", "a"])).toBe(stableSeed(["a", "b"]));
    expect(stableSeed(["a", "b"])).not.toBe(stableSeed(["a", "c"]));
    const [r1, r2] = [seededRandom(42), seededRandom(42)];
    const xs = Array.from({ length: 5 }, () => r1());
    expect(Array.from({ length: 5 }, () => r2())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("enlarges labels as the view zooms out, so they stay above Cytoscape's minimum", () => {
    expect(labelScale(1)).toBe(1);
    expect(labelScale(0.5)).toBe(1.75);
    expect(11 * labelScale(0.4) * 0.4).toBeGreaterThanOrEqual(9);
    expect(labelScale(0.01)).toBe(3.5);
  });
});

describe("saved view links", () => {
  it("open `?view=<id>` and only a well-formed id", () => {
    expect(viewLink("http://h:8000/?page=graph&sel=x#top", "ab12")).toBe("http://h:8000/?view=ab12");
    expect(viewIdOf("?view=ab12")).toBe("ab12");
    expect(viewIdOf("?page=graph")).toBeNull();
    expect(viewIdOf("?view=../x")).toBeNull();
  });

  it("a refused rename's messages go beside the field the server names", () => {
    const refused = new GraphQLError("invalid input: name: String should have at most 120 characters", [
      { message: "invalid input: name: …", extensions: { code: "BAD_USER_INPUT", fields: [{ field: "name", msg: "String should have at most 120 characters" }] } },
    ]);
    expect(viewFieldErrors(refused)).toEqual({ name: ["String should have at most 120 characters"] });
    const forbidden = new GraphQLError("not yours", [{ message: "only its owner or an admin may change this view", extensions: { code: "FORBIDDEN" } }]);
    expect(viewFieldErrors(forbidden)).toEqual({ "": ["only its owner or an admin may change this view"] });
    expect(viewFieldErrors(new Error("offline"))).toEqual({ "": ["offline"] });
  });
});
