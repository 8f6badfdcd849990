// `pnpm db:push`: drizzle-kit push, for a scratch database only. On a migrated database push
// would fight the migrations (drizzle-kit plans to drop and re-add the hand-ordered same-tenant
// foreign keys, and may offer to truncate tables), so it refuses one with any migration applied.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase } from "../connection/client";
import { describeTarget, ownerTarget } from "../connection/connections";
import { readAppliedMigrations } from "../migrator";
import { parseCli, reportFailure } from "./cli";

const { positionals } = parseCli(
  `usage: pnpm db:push [drizzle-kit push flags after --]
  Pushes the schema to a scratch database (no migrations applied) for prototyping; refuses a
  migrated one: change it with \`pnpm db:generate --name <change>\` and \`pnpm db:migrate\`.`,
  {},
  { allowPositionals: true },
);

let applied: number;
let where: string;
try {
  const target = ownerTarget();
  where = describeTarget(target);
  const handle = createDatabase("url" in target ? { ...target, max: 1 } : target);
  try {
    applied = (await readAppliedMigrations(handle.db)).length;
  } finally {
    await handle.close();
  }
} catch (error) {
  reportFailure(error);
  process.exit();
}

if (applied > 0) {
  console.error(
    `db:push refused: ${where} has ${applied} migration(s) applied; push would rewrite it behind the migrations. Use \`pnpm db:generate --name <change>\` then \`pnpm db:migrate\`, or point DATABASE_URL at a scratch database.`,
  );
  process.exit(1);
}

const withDatabase = path.join(path.dirname(fileURLToPath(import.meta.url)), "with-database.ts");
const child = spawn(
  process.execPath,
  ["--import", "tsx", withDatabase, "drizzle-kit", "push", ...positionals],
  { stdio: "inherit" },
);
child.on("exit", (code) => process.exit(code ?? 1));
