// Part of `pnpm db:check`: fails when the schema differs from the latest migration snapshot.
import { checkSchemaDrift } from "../tooling/drift";
import { parseCli } from "./cli";

parseCli(
  "usage: pnpm db:check\n  Fails when the schema differs from the latest migration snapshot.",
  {},
);

const report = await checkSchemaDrift();
if (report.inSync) {
  console.log("Schema and migrations agree: `pnpm db:generate` would generate nothing.");
} else {
  process.exitCode = 1;
  console.error(
    `The schema differs from the latest migration snapshot: \`pnpm db:generate\` would write ${report.wouldGenerate.join(", ") || 'nothing, but did not report "No schema changes"'}.\n` +
      "Run `pnpm db:generate`, review the SQL and commit it with meta/.\n\n" +
      report.output,
  );
}
