// `pnpm db:citus-report [--strict]` (--strict in ci:check): what blocks distributing every
// tenant table by organization_id on Citus, read from the catalog of a freshly migrated
// in-memory PGlite and from the package's source. Report mode prints and exits 0; --strict
// exits 1 while a blocker remains (a defect of what every engine shares); steps are what the
// distribution command does on the cluster. docs/scaling.md is the migration path.
import { createDatabase, openPglite } from "../connection/client";
import { migrate } from "../migrator";
import { CITUS_CHECKS, type CitusFinding, citusReport, isBlocker } from "../tooling/citus";

const strict = process.argv.includes("--strict");

const pglite = openPglite();
let findings: CitusFinding[];
try {
  const { db } = createDatabase({ pglite });
  await migrate({ db });
  findings = await citusReport(db);
} finally {
  await pglite.close();
}

for (const [check, { blocker, title, why }] of Object.entries(CITUS_CHECKS)) {
  const found = findings.filter((finding) => finding.check === check);
  if (found.length === 0) continue;
  console.log(`\n${blocker ? "BLOCKER" : "step"}: ${title} (${found.length}): ${why}.`);
  for (const finding of found) console.log(`  - ${finding.message}`);
}
const blockers = findings.filter(isBlocker).length;
console.log(
  `\ndb:citus-report: ${blockers} blocker(s) in the shared schema and code, ${findings.length - blockers} step(s) for the distribution command on the cluster; the path: packages/db/docs/scaling.md.`,
);
if (strict && blockers > 0) {
  process.exitCode = 1;
  console.error("db:citus-report --strict: blockers remain (see above).");
}
