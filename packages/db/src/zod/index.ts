// Zod schemas of every table in ../schema: insert<Table>Schema, select<Table>Schema and
// update<Table>Schema (drizzle-zod), with the field rules drizzle cannot derive from a
// column (emails, non-blank text, ranges, formats, embedding length). Insert<Table> and
// Update<Table> are their parsed types; row types stay in ../schema. The limits the schemas
// enforce are exported for messages and tests.
export * from "./ai";
export * from "./auth";
export * from "./mcp";
export { MAX_JSON_BYTES, MAX_JSON_DEPTH } from "./refinements";
export * from "./research";
export * from "./search";
