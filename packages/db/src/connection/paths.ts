import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** packages/db */
export const packageRoot = path.resolve(here, "../..");
/** The monorepo root (where `.env` and the embedded data dir live). */
export const repoRoot = path.resolve(packageRoot, "../..");
/** drizzle-kit's output: SQL files plus meta/_journal.json and snapshots. */
export const migrationsFolder = path.join(packageRoot, "src/migrations");
/** Default embedded (PGlite) data dir, git-ignored. */
export const defaultEmbeddedDataDir = path.join(repoRoot, ".data/pglite");
