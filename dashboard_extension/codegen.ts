import type { CodegenConfig } from "@graphql-codegen/cli";

// The exported SDL extends Saleor's federated types (Product, User); the stubs
// declare them and the federation directives so the SDL builds on its own.
const config: CodegenConfig = {
  schema: ["../saleor_crm_plugin/graphql/schema.graphql", "schema/federation-stubs.graphql"],
  documents: ["src/**/*.graphql"],
  generates: {
    "src/generated/graphql.ts": {
      plugins: ["typescript", "typescript-operations"],
      config: {
        enumsAsTypes: true,
        onlyOperationTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        scalars: { DateTime: "string", Date: "string", JSONString: "string", UUID: "string" },
      },
    },
  },
};

export default config;
