import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

/** Another live process has the embedded database open. */
class EmbeddedDatabaseBusyError extends Error {
  override readonly name = "EmbeddedDatabaseBusyError";
}

function describeSelf(): string {
  // pnpm sets the script's name: "pnpm dev" reads better than the node command line.
  const script = process.env.npm_lifecycle_event;
  return script ? `pnpm ${script}` : process.argv.slice(1).join(" ");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<dataDir>.lock` (pid and command) for this process: PGlite is single-process, and a
 * second process on the same files corrupts them. A lock whose process is gone is taken over.
 * Returns the release function.
 */
export function lockEmbedded(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, command: describeSelf() }));
      closeSync(fd);
      const release = () => rmSync(file, { force: true });
      process.once("exit", release);
      return () => {
        process.off("exit", release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let holder: { pid?: number; command?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, "utf8"));
      } catch {
        // Half-written or unreadable: treat as stale.
      }
      if (typeof holder.pid === "number" && holder.pid !== process.pid && alive(holder.pid)) {
        throw new EmbeddedDatabaseBusyError(
          `The embedded database in ${dataDir} is held by ${holder.command ?? "another process"} (pid ${holder.pid}): stop it first, or set DATABASE_URL to use a server.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new EmbeddedDatabaseBusyError(`Could not take ${file}: another process keeps taking it.`);
}
