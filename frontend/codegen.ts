import type { CodegenConfig } from "@graphql-codegen/cli";

// Types and typed documents for every GraphQL operation in src/operations/, checked
// against the SDL the server prints (`valuegraph schema --graphql`), which a Python test
// keeps equal to tests/data/snapshots/schema.graphql. A renamed field fails here.
const config: CodegenConfig = {
  schema: "../tests/data/snapshots/schema.graphql",
  documents: ["src/operations/*.graphql"],
  generates: {
    "src/generated/graphql.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        defaultScalarType: "unknown",
        scalars: { ID: "string", JSON: "unknown" },
        skipTypename: true,
        nonOptionalTypename: false,
      },
    },
  },
  errorsOnly: true,
};

export default config;
