// The db:* commands as a user runs them: each case spawns one CLI process (node --import tsx,
// like the package scripts). Cases are independent, so they run concurrently.
import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeFailure } from "../bin/cli";
import { env } from "../connection/env";
import { migrationsFolder, packageRoot } from "../connection/paths";
import { readJournal } from "../migrator";
import { createEmbeddedDataDir, createTestDatabase, type TestDatabase } from "../testing";
import { MigrationsCopy } from "./migrate-cli";

const run = promisify(execFile);
const server = env().TEST_DATABASE_URL;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "repo-db-cli-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Runs src/bin/<bin>.ts with only `vars` pointing at a database (never the developer's). */
async function cli(bin: string, args: string[], vars: Record<string, string> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(childEnv))
    if (key.startsWith("TEST_") || key.startsWith("DB_") || key.startsWith("PG"))
      delete childEnv[key];
  delete childEnv.DATABASE_URL;
  delete childEnv.APP_DATABASE_URL;
  Object.assign(childEnv, { PGLITE_DATA_DIR: path.join(scratch, "unused"), ...vars });
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", `src/bin/${bin}.ts`, ...args],
      { cwd: packageRoot, env: childEnv },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A failure report: exactly one line, and nothing that looks like a stack frame or SQL dump. */
function expectOneLine(stderr: string) {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |Failed query|params:/);
}

// One spawn per command costs a tsx start-up; these cover the shapes (flags, positionals, none).
const bins = ["migrate", "reset", "push", "lint-migrations"];

// Each case waits on a child process; on a loaded 2-core machine one tsx start-up took 20 s.
const spawnTimeout = { timeout: 180_000 };

describe.concurrent("db:* commands", spawnTimeout, () => {
  it.each(bins)("can print usage for %s --help", async (bin) => {
    const result = await cli(bin, ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: pnpm db:/);
  });

  it("cannot accept an unknown flag: one line naming it, then the usage, exit 2", async () => {
    const result = await cli("migrate", ["--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("Unknown option '--bogus'");
    expect(result.stderr.split("\n")[1]).toMatch(/^usage: pnpm db:migrate/);
    expect(result.stderr).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
  });

  it("cannot reach a stopped server: one line naming the address, secrets redacted", async () => {
    const result = await cli("seed", [], {
      DATABASE_URL: "postgres://owner:hunter2@127.0.0.1:1/repo",
    });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toMatch(
      /^Cannot reach the database server at 127\.0\.0\.1:1 \(ECONNREFUSED\): is the server running\?/,
    );
    expect(result.stdout + result.stderr).not.toContain("hunter2");
  });

  it("cannot start with an invalid .env value: the variable and the fix, no source frame", async () => {
    const result = await cli("migrate", ["--status"], {
      DATABASE_URL: "mysql://owner:hunter2@x/repo",
    });
    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toMatch(
      /^Invalid database configuration \(fix it in your shell or in .*\.env\): DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL$/m,
    );
    expect(result.stderr).not.toContain("hunter2");
  });

  it("cannot report --status as fine while migrations are pending (a stale lock is taken over)", async () => {
    // A migrated database and one migration more: no initdb in the child.
    const dataDir = path.join(scratch, "behind");
    const migrations = await MigrationsCopy.create();
    try {
      await createEmbeddedDataDir(dataDir);
      const last = readJournal(migrationsFolder).at(-1)!;
      await migrations.add("0099_next", "SELECT 1;", last.when + 1000);
      const gone = spawnSync(process.execPath, ["-e", ""]).pid;
      await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: gone, command: "pnpm dev" }));
      const result = await cli("migrate", ["--status", "--migrations-folder", migrations.dir], {
        PGLITE_DATA_DIR: dataDir,
      });
      expect(result.stdout).toMatch(/pending.*0099_next/);
      expect(result.code).toBe(1);
    } finally {
      await migrations.dispose();
    }
  });

  it("cannot open the embedded database while another process holds it", async () => {
    const dataDir = path.join(scratch, "held");
    await mkdir(dataDir, { recursive: true });
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 600_000)"]);
    try {
      await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: holder.pid, command: "pnpm dev" }));
      const result = await cli("seed", [], { PGLITE_DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      expectOneLine(result.stderr);
      expect(result.stderr).toContain(
        `The embedded database in ${dataDir} is held by pnpm dev (pid ${holder.pid}): stop it first`,
      );
    } finally {
      holder.kill();
    }
  });

  it.skipIf(spawnSync("psql", ["--version"]).status !== 0)(
    "can browse the embedded database offline with db:psql",
    async () => {
      const dataDir = path.join(scratch, "browse");
      await createEmbeddedDataDir(dataDir);
      const result = await cli(
        "with-database",
        ["psql", "-At", "-c", "select count(*) from research_plan"],
        { PGLITE_DATA_DIR: dataDir },
      );
      expect(result.stdout.trim()).toBe("0");
      expect(result.code).toBe(0);
    },
  );

  it("can name the fix for a wrong password and a server without pgvector", () => {
    // postgres.js's error shape for what the server answers (no such server to run here).
    const wrongPassword = Object.assign(
      new Error('password authentication failed for user "owner"'),
      { name: "PostgresError", code: "28P01" },
    );
    expect(describeFailure(new Error("Failed query: select 1", { cause: wrongPassword }))).toBe(
      'PostgresError: password authentication failed for user "owner" (28P01): the password in DATABASE_URL is wrong; fix it in your shell or .env.',
    );
    const noVector = Object.assign(new Error('extension "vector" is not available'), {
      name: "PostgresError",
      code: "0A000",
    });
    expect(describeFailure(noVector)).toMatch(
      /\(0A000\): the server lacks pgvector; use the pgvector\/pgvector image/,
    );
  });
});

describe.skipIf(!server)("db:* commands against a server", spawnTimeout, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.dispose());

  it("can push to the migrated database: no changes, and drizzle-kit is never asked to diff it", async () => {
    const result = await cli("push", [], { DATABASE_URL: database.url! });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(
      /^No changes: .* has all \d+ migrations applied and the schema matches the latest one\.$/,
    );
  });

  it("cannot push to a migrated database with a pending migration: it names db:migrate", async () => {
    const behind = await createTestDatabase();
    try {
      await behind.db.execute(
        sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
      );
      const result = await cli("push", [], { DATABASE_URL: behind.url! });
      expect(result.code).toBe(1);
      expectOneLine(result.stderr);
      expect(result.stderr.trim()).toMatch(
        /^db:push refused: .* \(1 pending, 0 problem\(s\)\).*`pnpm db:migrate`\.$/,
      );
    } finally {
      await behind.dispose();
    }
  });

  it("cannot migrate as an owner without CREATEROLE: the hint says so", async () => {
    const name = `cli_norole_${process.pid}`;
    const admin = postgres(server!, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create role ${name} login`);
      await admin.unsafe(`create database ${name} owner ${name}`);
      const url = new URL(server!);
      url.pathname = `/${name}`;
      const owned = postgres(url.toString(), { max: 1, onnotice: () => {} });
      await owned.unsafe("create extension if not exists vector").finally(() => owned.end());
      url.username = name;
      const result = await cli("migrate", [], { DATABASE_URL: url.toString() });
      expect(result.code).toBe(1);
      expectOneLine(result.stderr);
      expect(result.stderr).toMatch(
        /^Migration refused: .*Hint: the owner in DATABASE_URL lacks CREATEROLE/,
      );
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.unsafe(`drop role if exists ${name}`);
      await admin.end();
    }
  });
});
