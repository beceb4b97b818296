// Compose Saleor's federated SDL with the CRM subgraph; print the result as JSON.
// Usage: node compose.mjs <saleor.graphql> <crm.graphql>
import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse, printSchema } from "graphql";

const [saleorPath, crmPath] = process.argv.slice(2);
const result = composeServices([
  { name: "saleor", url: "http://saleor/graphql/", typeDefs: parse(readFileSync(saleorPath, "utf8")) },
  { name: "crm", url: "http://crm/graphql/", typeDefs: parse(readFileSync(crmPath, "utf8")) },
]);
if (result.errors && result.errors.length) {
  console.log(JSON.stringify({ errors: result.errors.map((e) => ({ code: e.extensions?.code, message: e.message })) }));
  process.exit(1);
}
const api = printSchema(result.schema.toAPISchema().toGraphQLJSSchema());
console.log(JSON.stringify({ errors: [], hints: (result.hints || []).length, supergraphSdl: result.supergraphSdl.length, api }));
