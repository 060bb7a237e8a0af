import { describe, expect, it } from "vitest";
import { decodeState, defaultState, encodeState, type ViewState } from "../src/urlstate";

describe("URL state", () => {
  it("leaves defaults out, so the empty view is the bare URL", () => {
    expect(encodeState(defaultState())).toBe("");
    expect(decodeState("")).toEqual(defaultState());
  });

  it("round-trips a full view, keeping the order of seeds and expansions", () => {
    const s: ViewState = {
      ...defaultState(),
      page: "graph",
      mode: "impact",
      selected: "plat-api-gateway",
      seeds: ["vs-mortgage", "vs-cards", "team-x"],
      expanded: ["vs-cards", "vs-mortgage"],
      pinned: ["vs-mortgage"],
      removed: ["person-a"],
      hiddenTypes: ["Person", "Measure"],
      hiddenRels: ["OWNS"],
      layout: "fcose",
      shown: { "vs-mortgage": 50 },
      impactOf: "plat-api-gateway",
      depth: 3,
      impactRels: ["DEPENDS_ON", "USES"],
      impactDir: "depends",
      pathTo: null,
      cluster: "cluster-1",
      scenario: null,
      side: "diff",
      group: "team",
    };
    const q = encodeState(s);
    expect(q).toContain("group=team");
    expect(q).toContain("mode=impact");
    expect(q).toContain("n=vs-mortgage,vs-cards,team-x");
    expect(decodeState(q)).toEqual(s);
    expect(decodeState(`?${q}`)).toEqual(s);
  });

  it("escapes ids with commas, colons, spaces and non-ASCII", () => {
    const odd = ["component:default/a,b", "Ünïcode name", "50%&x=1", "id-with:colon"];
    const s = { ...defaultState(), seeds: odd, selected: odd[0]!, shown: { [odd[3]!]: 75 } };
    const q = encodeState(s);
    expect(q.split("&").every((kv) => kv.split("=").length === 2)).toBe(true);
    expect(decodeState(q)).toEqual(s);
  });

  it("falls back to defaults for unknown or malformed values", () => {
    const s = decodeState("mode=nonsense&page=admin&layout=x&depth=999&more=a:-3,b:zz,:4&n=%E0%A4%A,ok&junk");
    expect(s.mode).toBe("explore");
    expect(s.page).toBe("graph");
    expect(s.layout).toBe("auto");
    expect(s.depth).toBe(defaultState().depth);
    expect(s.shown).toEqual({});
    expect(s.seeds).toEqual(["ok"]);
  });

  it("accepts + for spaces and drops duplicate ids", () => {
    expect(decodeState("sel=a+b&n=x,x,y").selected).toBe("a b");
    expect(decodeState("n=x,x,y").seeds).toEqual(["x", "y"]);
  });

  it("captures the compared scenario, the compared element and what the graph shows", () => {
    const s: ViewState = { ...defaultState(), mode: "scenario", scenario: "retire gateway v2", impactOf: "plat-api-gateway", side: "base", selected: "vs-cards" };
    const q = encodeState(s);
    expect(q).toBe("mode=scenario&sel=vs-cards&of=plat-api-gateway&scn=retire%20gateway%20v2&side=base");
    expect(decodeState(q)).toEqual(s);
    // `+` for spaces as forms write them; the default side is left out
    expect(decodeState("mode=scenario&scn=adopt+orphans").scenario).toBe("adopt orphans");
    expect(encodeState({ ...s, side: "diff" })).not.toContain("side=");
    // the base model is no scenario at all
    expect(decodeState("mode=scenario&scn=").scenario).toBeNull();
    expect(decodeState("mode=scenario&scn=%E0%A4%A").scenario).toBeNull();
    expect(decodeState("side=sideways").side).toBe("diff");
    // other modes show the base model: the link does not name a scenario
    expect(encodeState({ ...s, mode: "explore" })).toBe("sel=vs-cards&of=plat-api-gateway");
  });

  it("captures a dependency path's two ends", () => {
    const s: ViewState = { ...defaultState(), mode: "impact", impactDir: "path", impactOf: "plat-identity-kyc", pathTo: "vs-payments" };
    const q = encodeState(s);
    expect(q).toBe("mode=impact&of=plat-identity-kyc&dir=path&to=vs-payments");
    expect(decodeState(q)).toEqual(s);
  });
});
