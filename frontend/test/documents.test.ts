import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parse, validate } from "graphql";
import { briefsQuery, REL_PAGE } from "../src/api";
import { neighbourhoodQuery } from "../src/schema";
import type { GraphSchema } from "../src/types";
import { SDL } from "./sdl";

// The generated documents are checked against the SDL by GraphQL Code Generator; these two
// are built from the graph schema at run time, so they are checked here.
// test/data/schema.json is `valuegraph schema` (the `schema` query's answer).
const schema = JSON.parse(readFileSync(new URL("./data/schema.json", import.meta.url), "utf8")) as GraphSchema;

const errors = (doc: string): string[] => validate(SDL, parse(doc)).map((e) => e.message);

describe("documents built at run time", () => {
  it("the neighbourhood query is valid against the server's SDL", () => {
    const doc = neighbourhoodQuery(schema, REL_PAGE);
    expect(errors(doc)).toEqual([]);
    // every node type's relationship fields are selected
    for (const n of schema.nodes) expect(doc).toContain(`... on ${n.label} {`);
  });

  it("the batched briefs query is valid against the server's SDL", () => {
    expect(errors(briefsQuery(1))).toEqual([]);
    expect(errors(briefsQuery(25))).toEqual([]);
  });
});
