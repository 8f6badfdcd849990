// `pnpm db:push`: drizzle-kit push, for a scratch database (no migration applied). A migrated
// database is the migrations' to change: push never diffs it (drizzle-kit 0.31 misreads the
// composite keys' column order and would plan to drop and re-add them and every foreign key on
// them), it answers from the journal and the drift check instead: no changes when every
// migration is applied and the schema has nothing ungenerated, otherwise the command to run.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase } from "../connection/client";
import { describeTarget, ownerTarget } from "../connection/connections";
import { migrationsFolder } from "../connection/paths";
import { compareMigrations, readAppliedMigrations, readJournal } from "../migrator";
import { checkSchemaDrift } from "../tooling/drift";
import { parseCli, reportFailure } from "./cli";

const { positionals } = parseCli(
  `usage: pnpm db:push [drizzle-kit push flags after --]
  Pushes the schema to a scratch database (no migrations applied) for prototyping. On a
  migrated database it changes nothing: it says "No changes" when the database is current, or
  which command to run (\`pnpm db:migrate\`, \`pnpm db:generate --name <change>\`).`,
  {},
  { allowPositionals: true },
);

let applied: Awaited<ReturnType<typeof readAppliedMigrations>>;
let where: string;
try {
  const target = ownerTarget();
  where = describeTarget(target);
  const handle = createDatabase("url" in target ? { ...target, max: 1 } : target);
  try {
    applied = await readAppliedMigrations(handle.db);
  } finally {
    await handle.close();
  }
} catch (error) {
  reportFailure(error);
  process.exit();
}

if (applied.length > 0) {
  const state = compareMigrations(readJournal(migrationsFolder), applied);
  const problems = state.edited.length + state.skipped.length + state.unknown.length;
  if (problems > 0 || state.pending.length > 0) {
    console.error(
      `db:push refused: ${where} is migrated and not current (${state.pending.length} pending, ${problems} problem(s)); push would rewrite it behind the migrations. Run \`pnpm db:migrate --status\`, then \`pnpm db:migrate\`.`,
    );
    process.exit(1);
  }
  const drift = await checkSchemaDrift();
  if (!drift.inSync) {
    console.error(
      `db:push refused: ${where} is migrated, and the schema has changes no migration carries (${drift.wouldGenerate.join(", ")}). Run \`pnpm db:generate --name <change>\`, review the SQL, then \`pnpm db:migrate\`.`,
    );
    process.exit(1);
  }
  console.log(
    `No changes: ${where} has all ${state.expected} migrations applied and the schema matches the latest one.`,
  );
  process.exit(0);
}

const withDatabase = path.join(path.dirname(fileURLToPath(import.meta.url)), "with-database.ts");
const child = spawn(
  process.execPath,
  ["--import", "tsx", withDatabase, "drizzle-kit", "push", ...positionals],
  { stdio: "inherit" },
);
child.on("exit", (code) => process.exit(code ?? 1));
