import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { migrationsFolder, packageRoot } from "../connection/paths";

export interface DriftReport {
  /** True when `pnpm db:generate` would write nothing. */
  readonly inSync: boolean;
  /** Files drizzle-kit would add to src/migrations (SQL and snapshots). */
  readonly wouldGenerate: readonly string[];
  /** drizzle-kit's output. */
  readonly output: string;
}

/**
 * Runs drizzle-kit generate against a temporary copy of src/migrations, so the working tree is
 * never touched. drizzle-kit exits 0 even on errors, so both its words ("No schema changes")
 * and the files it writes are checked.
 */
export async function checkSchemaDrift(
  /** The schema entry, relative to packages/db (drizzle.config.ts's `schema`). */
  schema = "./src/schema/index.ts",
): Promise<DriftReport> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "repo-db-drift-"));
  try {
    await cp(migrationsFolder, scratch, { recursive: true });
    const before = new Set(await listFiles(scratch));
    const drizzleKit = path.join(packageRoot, "node_modules/.bin/drizzle-kit");
    // drizzle-kit prefixes "./" to --out: give it a path relative to the package.
    const args = [
      "generate",
      "--dialect",
      "postgresql",
      "--schema",
      schema,
      "--out",
      path.relative(packageRoot, scratch),
    ];
    const { stdout, stderr } = await promisify(execFile)(drizzleKit, args, { cwd: packageRoot });
    const output = stdout + stderr;
    const wouldGenerate = (await listFiles(scratch)).filter((file) => !before.has(file));
    return {
      inSync: wouldGenerate.length === 0 && output.includes("No schema changes"),
      wouldGenerate,
      output,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)));
}
