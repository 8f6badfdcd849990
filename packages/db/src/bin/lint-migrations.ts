// `pnpm db:lint`: migration lint (squawk plus this project's rules). A reviewed exception:
// `-- lint-ignore: <rule> <reason>` above the statement, or `-- lint-ignore-file: ...`.

import { migrationsFolder } from "../connection/paths";
import { lintMigrations } from "../tooling/lint";
import { parseCli } from "./cli";

parseCli("usage: pnpm db:lint\n  Lints every migration (squawk plus this project's rules).", {});

const findings = await lintMigrations(migrationsFolder);
for (const finding of findings) {
  console.error(`${finding.file}:${finding.line}: ${finding.rule}: ${finding.message}`);
}
if (findings.length > 0) {
  console.error(
    `\n${findings.length} finding(s). Fix the migration, or after review mark the statement with -- lint-ignore: <rule> <reason>.`,
  );
  process.exitCode = 1;
} else {
  console.log("Migration lint: no findings.");
}
