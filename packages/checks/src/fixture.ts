import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** A throwaway tree in the temp dir: write files, run the repo's own tools in it, remove it. */
export class Fixture {
  private constructor(readonly dir: string) {}

  static async create(): Promise<Fixture> {
    return new Fixture(await mkdtemp(path.join(os.tmpdir(), "repo-checks-")));
  }

  async write(file: string, text: string): Promise<void> {
    await mkdir(path.dirname(path.join(this.dir, file)), { recursive: true });
    await writeFile(path.join(this.dir, file), text);
  }

  /** Copies a file from the real repository (e.g. a tool's config) to the same path. */
  async copyFromRepo(file: string): Promise<void> {
    await mkdir(path.dirname(path.join(this.dir, file)), { recursive: true });
    await copyFile(path.join(repoRoot, file), path.join(this.dir, file));
  }

  async link(target: string, linkPath: string): Promise<void> {
    await mkdir(path.dirname(path.join(this.dir, linkPath)), { recursive: true });
    await symlink(path.join(this.dir, target), path.join(this.dir, linkPath));
  }

  /** Runs a command in the fixture; never throws: exit code and output are the result. */
  run(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      execFile(
        command,
        args,
        { cwd: this.dir, env: { ...process.env, ...env } },
        (error, stdout, stderr) => {
          resolve({
            code: error ? Number((error as { code?: number }).code ?? 1) : 0,
            output: stdout + stderr,
          });
        },
      );
    });
  }

  /** A binary of the root workspace (biome, depcruise, knip, jscpd). */
  tool(name: string, args: string[], env?: NodeJS.ProcessEnv) {
    return this.run(path.join(repoRoot, "node_modules/.bin", name), args, env);
  }

  dispose(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
