// `pnpm db:migrate [--status | --dry-run] [--migrations-folder DIR]`: applies pending
// migrations to DATABASE_URL, or to the embedded database. A thin layer over migrate().
import { createDatabase } from "../connection/client";
import { describeTarget, ownerTarget } from "../connection/connections";
import { env } from "../connection/env";
import { migrationsFolder } from "../connection/paths";
import {
  compareMigrations,
  formatMigrationState,
  JournalError,
  MigrationError,
  migrate,
  readAppliedMigrations,
  readJournal,
  statusLines,
} from "../migrator";
import { hintFor, parseCli, reportFailure } from "./cli";

const { values: flags } = parseCli(
  `usage: pnpm db:migrate [--status | --dry-run] [--migrations-folder DIR]
  Applies pending migrations to DATABASE_URL (or the embedded database) as the owner.
  --status             list applied and pending migrations; exits 1 when any is pending or wrong
  --dry-run            run the pending migrations in a transaction that is rolled back
  --migrations-folder  read migrations from DIR instead of src/migrations`,
  {
    status: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    "migrations-folder": { type: "string", default: migrationsFolder },
  },
);

let handle: ReturnType<typeof createDatabase> | undefined;
try {
  const target = ownerTarget();
  // One connection: the run is one transaction; more would sit idle.
  handle = createDatabase("url" in target ? { ...target, max: 1 } : target);
  const folder = flags["migrations-folder"];
  console.log(`Database: ${describeTarget(target)}`);
  if (flags.status) {
    const journal = readJournal(folder);
    const state = compareMigrations(journal, await readAppliedMigrations(handle.db));
    console.log(formatMigrationState(state));
    const lines = statusLines(journal, state);
    const width = Math.max(...lines.map((line) => line.name.length));
    for (const line of lines) {
      console.log(
        `  ${line.status.padEnd(8)} ${line.name.padEnd(width)}  ${line.detail}`.trimEnd(),
      );
    }
    // Anything but "applied" means the database is not what the code expects.
    if (lines.some((line) => line.status !== "applied")) process.exitCode = 1;
  } else {
    const config = env();
    const result = await migrate({
      db: handle.db,
      migrationsFolder: folder,
      dryRun: flags["dry-run"],
      timeoutMs: config.DB_MIGRATION_TIMEOUT_SECONDS * 1000,
      lockTimeoutMs: config.DB_MIGRATION_LOCK_TIMEOUT_SECONDS * 1000,
      log: (line) => console.log(line),
    });
    if (result.dryRun)
      console.log(
        result.ran.length
          ? `Dry run: ${result.ran.length} migration(s) would be applied; nothing changed.`
          : "Dry run: up to date; nothing changed.",
      );
    else
      console.log(result.ran.length ? `Applied ${result.ran.length} migration(s).` : "Up to date.");
  }
} catch (error) {
  process.exitCode = 1;
  if (error instanceof MigrationError) {
    // The MigrationError's own code names the step; the hint comes from the Postgres error.
    const hint = hintFor(error.cause);
    console.error(`Migration refused: ${error.message}${hint ? ` Hint: ${hint}.` : ""}`);
  } else if (error instanceof JournalError) console.error(error.message);
  else reportFailure(error);
} finally {
  await handle?.close();
}
