import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { packageRoot } from "../connection/paths";

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
