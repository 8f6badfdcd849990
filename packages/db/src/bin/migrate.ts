// `pnpm db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import { createDatabase } from "../client";
import { describeTarget, ownerTarget } from "../connections";
import { MigrationError, migrate } from "../migrator";

const target = ownerTarget();
const handle = createDatabase(target);
console.log(`Database: ${describeTarget(target)}`);
try {
  const result = await migrate({ db: handle.db, log: (line) => console.log(line) });
  console.log(result.ran.length ? `Applied ${result.ran.length} migration(s).` : "Up to date.");
} catch (error) {
  process.exitCode = 1;
  console.error(error instanceof MigrationError ? `Migration refused: ${error.message}` : error);
} finally {
  await handle.close();
}
