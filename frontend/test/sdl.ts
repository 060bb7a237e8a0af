/** The server's GraphQL schema as the repository snapshots it (what the generated types come from). */
import { readFileSync } from "node:fs";
import { GraphQLEnumType, buildSchema } from "graphql";

export const SDL = buildSchema(readFileSync(new URL("../../tests/data/snapshots/schema.graphql", import.meta.url), "utf8"));

/** The values of an enum of the SDL, e.g. `NodeKind`. */
export function enumValues(name: string): string[] {
  const t = SDL.getType(name);
  if (!(t instanceof GraphQLEnumType)) throw new Error(`${name} is not an enum of the SDL`);
  return t.getValues().map((v) => v.value as string);
}
