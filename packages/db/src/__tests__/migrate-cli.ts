import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { migrationsFolder, packageRoot } from "../connection/paths";

const run = promisify(execFile);

/**
 * `pnpm db:migrate [args]` as a user runs it: the CLI in its own process (node --import tsx,
 * like the package script), against `target` only (DATABASE_URL or PGLITE_DATA_DIR).
 */
export async function migrateCli(args: string[], target: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...target };
  if (!target.DATABASE_URL) delete env.DATABASE_URL;
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", "src/bin/migrate.ts", ...args],
      {
        cwd: packageRoot,
        env,
      },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** A copy of src/migrations to break on purpose. */
export class MigrationsCopy {
  private constructor(readonly dir: string) {}
  static async create() {
    const dir = await mkdtemp(path.join(os.tmpdir(), "repo-db-migrations-"));
    await cp(migrationsFolder, dir, { recursive: true });
    return new MigrationsCopy(dir);
  }
  /** Adds a migration to the journal and writes its file. */
  async add(tag: string, text: string, when: number) {
    const journalPath = path.join(this.dir, "meta/_journal.json");
    const parsed = JSON.parse(await readFile(journalPath, "utf8"));
    parsed.entries.push({ idx: parsed.entries.length, version: "7", when, tag, breakpoints: true });
    await writeFile(journalPath, JSON.stringify(parsed, null, 2));
    await writeFile(path.join(this.dir, `${tag}.sql`), text);
  }
  write(file: string, text: string) {
    return writeFile(path.join(this.dir, file), text);
  }
  async append(file: string, text: string) {
    await writeFile(
      path.join(this.dir, file),
      (await readFile(path.join(this.dir, file), "utf8")) + text,
    );
  }
  dispose() {
    return rm(this.dir, { recursive: true, force: true });
  }
}
