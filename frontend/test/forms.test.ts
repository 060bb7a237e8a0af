import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createBody, errorsByField, missingRequired, nodeFields, ownership, patchBody, relChoices, relationshipFields, valuesOf } from "../src/forms";
import { GraphModel } from "../src/model";
import type { GraphSchema, SchemaProp } from "../src/types";
import { hood } from "./fixtures";

const prop = (name: string, kind: SchemaProp["kind"], extra: Partial<SchemaProp> = {}): SchemaProp => ({ name, kind, description: `${name}.`, required: false, choices: [], ...extra });

// The shapes graph.schema.Schema.as_dict gives: common fields, typed properties of every
// kind, a required one, choices, and endpoints with "*".
const SCHEMA: GraphSchema = {
  version: 6,
  common_node_fields: ["id", "name", "description", "tags", "properties", "source", "import_run", "created_at", "updated_at"],
  nodes: [
    {
      label: "Platform",
      description: "A shared platform.",
      properties: [prop("kind", "string", { choices: ["application", "technology", "data"] }), prop("lifecycle_active", "date"), prop("lifecycle_phase_out", "date")],
    },
    { label: "Stage", description: "", properties: [prop("order", "int", { required: true })] },
    { label: "Team", description: "", properties: [prop("capacity", "float"), prop("remote", "bool")] },
  ],
  relationships: [
    { type: "DEPENDS_ON", description: "A dependency.", endpoints: [["Platform", "Platform"], ["Team", "Team"]], forward: "dependsOn", reverse: "dependedOnBy", properties: [prop("interaction_mode", "string", { choices: ["collaboration", "x-as-a-service"] })] },
    { type: "OWNS", description: "A team owns an element.", endpoints: [["Team", "*"]], forward: "owns", reverse: "ownedBy", properties: [] },
    { type: "USES", description: "", endpoints: [["Stage", "Platform"]], forward: "uses", reverse: "usedBy", properties: [] },
  ],
};

describe("forms derived from the schema", () => {
  it("a node type's form: the edited common fields, then its typed properties by kind", () => {
    const fields = nodeFields(SCHEMA, "Platform");
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["name", "text", true],
      ["description", "textarea", false],
      ["tags", "tags", false],
      ["kind", "choice", false],
      ["lifecycle_active", "date", false],
      ["lifecycle_phase_out", "date", false],
    ]);
    expect(fields.find((f) => f.name === "kind")!.choices).toEqual(["application", "technology", "data"]);
    expect(fields.find((f) => f.name === "lifecycle_phase_out")!.label).toBe("Lifecycle phase out");
    expect(nodeFields(SCHEMA, "Stage").find((f) => f.name === "order")).toMatchObject({ kind: "int", required: true });
    expect(nodeFields(SCHEMA, "Team").slice(3).map((f) => f.kind)).toEqual(["float", "bool"]);
    expect(() => nodeFields(SCHEMA, "Spaceship")).toThrow(/unknown node type/);
  });

  it("only common fields the schema lists are offered", () => {
    expect(nodeFields({ ...SCHEMA, common_node_fields: ["id", "name"] }, "Team").map((f) => f.name)).toEqual(["name", "capacity", "remote"]);
  });

  it("a relationship type's form is its typed properties", () => {
    expect(relationshipFields(SCHEMA, "DEPENDS_ON").map((f) => [f.name, f.kind])).toEqual([["interaction_mode", "choice"]]);
    expect(relationshipFields(SCHEMA, "OWNS")).toEqual([]);
  });

  it("the relationships an element may have come from the allowed endpoints, '*' standing for every type", () => {
    const platform = relChoices(SCHEMA, "Platform").map((c) => [c.type, c.outgoing, c.field, c.others]);
    expect(platform).toEqual([
      ["DEPENDS_ON", true, "dependsOn", ["Platform"]],
      ["DEPENDS_ON", false, "dependedOnBy", ["Platform"]],
      ["OWNS", false, "ownedBy", ["Team"]],
      ["USES", false, "usedBy", ["Stage"]],
    ]);
    // A team owns anything: every type is offered at the other end.
    expect(relChoices(SCHEMA, "Team").find((c) => c.type === "OWNS" && c.outgoing)!.others).toEqual(["Platform", "Stage", "Team"]);
    expect(ownership(SCHEMA, "Stage")).toMatchObject({ type: "OWNS", outgoing: false, others: ["Team"] });
  });

  it("derives the real schema's forms (test/data/schema.json) with no type left without a name field", () => {
    const real = JSON.parse(readFileSync(new URL("./data/schema.json", import.meta.url), "utf8")) as GraphSchema;
    for (const n of real.nodes) expect(nodeFields(real, n.label)[0]).toMatchObject({ name: "name", required: true });
    expect(ownership(real, "Platform")?.others).toEqual(["Team"]);
    expect(relChoices(real, "Platform").some((c) => c.type === "DEPENDS_ON" && c.outgoing && c.others.includes("Platform"))).toBe(true);
  });
});

describe("request bodies from what was typed", () => {
  const fields = nodeFields(SCHEMA, "Team");

  it("a create sends the fields given, typed", () => {
    expect(createBody(fields, { name: " Alpha ", description: "", tags: "a, b,, ", capacity: "4.5", remote: "true" })).toEqual({ name: "Alpha", tags: ["a", "b"], capacity: 4.5, remote: true });
  });

  it("a number that does not parse is sent as typed, for the server to refuse", () => {
    expect(createBody(fields, { name: "A", capacity: "lots" })).toEqual({ name: "A", capacity: "lots" });
  });

  it("a patch sends only what changed; emptied typed properties are cleared with null", () => {
    const initial = valuesOf(fields, { name: "Alpha", description: "Runs it", tags: ["a", "b"], capacity: 4, remote: false });
    expect(initial).toEqual({ name: "Alpha", description: "Runs it", tags: "a, b", capacity: "4", remote: "false" });
    expect(patchBody(fields, initial, { ...initial })).toEqual({});
    expect(patchBody(fields, initial, { ...initial, tags: "a,b", capacity: "4.0" })).toEqual({});
    expect(patchBody(fields, initial, { ...initial, capacity: "", description: "", tags: "", name: "Beta" })).toEqual({ name: "Beta", description: "", tags: [], capacity: null });
  });

  it("required fields left empty are refused before asking", () => {
    expect(missingRequired(nodeFields(SCHEMA, "Stage"), { name: "Discover", order: " " })).toEqual({ order: ["Required."] });
  });
});

describe("the server's refusals mapped to fields", () => {
  const names = nodeFields(SCHEMA, "Platform").map((f) => f.name);

  it("a PATCH's 422 (graph.edits.FieldErrors) goes beside its field, without pydantic's prefix", () => {
    const detail = [
      {
        loc: ["body", "lifecycle_phase_out"],
        msg: "Value error, lifecycle_phase_out (2026-01-01) is before lifecycle_active (2027-01-01); these dates must not decrease: lifecycle_active <= lifecycle_phase_out",
        type: "value_error",
      },
    ];
    expect(errorsByField(detail, names)).toEqual({ lifecycle_phase_out: ["lifecycle_phase_out (2026-01-01) is before lifecycle_active (2027-01-01); these dates must not decrease: lifecycle_active <= lifecycle_phase_out"] });
  });

  it("a create's 422 names the type after 'body'; list items point at their field", () => {
    const detail = [
      { loc: ["body", "Platform", "kind"], msg: "Input should be 'application', 'technology' or 'data'", type: "literal_error" },
      { loc: ["body", "Platform", "tags", 0], msg: "String should have at least 1 character", type: "string_too_short" },
    ];
    expect(errorsByField(detail, names, { tags: ["Platform"] })).toEqual({
      kind: ["Input should be 'application', 'technology' or 'data'"],
      tags: ["String should have at least 1 character"],
    });
  });

  it("what names no field of the form is shown for the form, with where it was", () => {
    const detail = [
      { loc: ["body", "Platform", "team_type"], msg: "Extra inputs are not permitted", type: "extra_forbidden" },
      { loc: ["body"], msg: "Field required", type: "missing" },
    ];
    expect(errorsByField(detail, names, { tags: ["Platform"] })).toEqual({ "": ["team_type: Extra inputs are not permitted", "input: Field required"] });
  });

  it("a store's refusal goes to the field it concerns, aliases name a relationship's other end", () => {
    const refused = { msg: "1 invalid relationship(s): x: DEPENDS_ON may not link Platform to Team", errors: [{ relationship: "x", msg: "DEPENDS_ON may not link Platform to Team" }] };
    expect(errorsByField(refused, ["other"], { storeField: "other" })).toEqual({ other: ["DEPENDS_ON may not link Platform to Team"] });
    const pattern = [{ loc: ["body", "DEPENDS_ON", "target"], msg: "String should match pattern", type: "string_pattern_mismatch" }];
    expect(errorsByField(pattern, ["other"], { tags: ["DEPENDS_ON"], aliases: { target: "other" } })).toEqual({ other: ["String should match pattern"] });
    expect(errorsByField({ msg: "an element with id 'p' exists already", errors: null }, ["id", "name"], { storeField: "id" })).toEqual({ id: ["an element with id 'p' exists already"] });
    expect(errorsByField("this needs the editor role", names)).toEqual({ "": ["this needs the editor role"] });
  });
});

describe("a deleted element is forgotten by the model", () => {
  it("with its links from every loaded neighbourhood and the view's lists", () => {
    const m = new GraphModel();
    m.mergeNeighbourhood(hood("p", "Platform", [["DEPENDS_ON", "q", "Platform", true], ["OWNS", "t", "Team", false]]));
    m.mergeNeighbourhood(hood("q", "Platform", [["DEPENDS_ON", "p", "Platform", false]]));
    m.addSeed("p");
    m.addSeed("q");
    m.expand("p");
    m.expand("q");
    m.togglePin("p");
    m.forget("p");
    expect(m.elements.has("p") || m.details.has("p") || m.isLoaded("p")).toBe(false);
    expect(m.neighbourhoods.get("q")).toEqual([]);
    expect([m.seeds, m.expanded, [...m.pinned]]).toEqual([["q"], ["q"], []]);
    expect(m.derive().nodes.map((n) => n.id)).toEqual(["q"]);
  });
});
