import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDatabase } from "../connection/client";
import { env } from "../connection/env";
import { migrationsFolder } from "../connection/paths";
import { rows } from "../connection/rows";
import { MIGRATION_LOCK_KEY_SQL, MigrationError, migrate, readJournal } from "../migrator";
import { createEmbeddedDataDir, createTestDatabase, type TestDatabase } from "../testing";
import { MigrationsCopy, migrateCli } from "./migrate-cli";

const server = env().TEST_DATABASE_URL;
const journal = readJournal(migrationsFolder);
const last = journal.at(-1)!;

const appliedCount = async (testDb: TestDatabase) =>
  Number(
    (
      await rows<{ n: number }>(
        testDb.db,
        sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      )
    )[0]?.n,
  );

let testDb: TestDatabase;
let copy: MigrationsCopy;
let scratch: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.dispose());
beforeEach(async () => {
  copy = await MigrationsCopy.create();
  scratch = await mkdtemp(path.join(os.tmpdir(), "repo-db-fault-"));
});
afterEach(async () => {
  await copy.dispose();
  await rm(scratch, { recursive: true, force: true });
});

/**
 * Where a CLI run works, migrated with the real migrations: this file's server database, or
 * an embedded data dir unpacked from the migrated snapshot (a CLI process cannot share the
 * in-memory one).
 */
async function cliTarget(): Promise<Record<string, string>> {
  if (testDb.url) return { DATABASE_URL: testDb.url };
  const dataDir = path.join(scratch, "pglite");
  await createEmbeddedDataDir(dataDir);
  return { PGLITE_DATA_DIR: dataDir };
}

describe("a migration that fails halfway", () => {
  it("cannot leave anything of itself, and a rerun after the fix succeeds", async () => {
    await copy.add(
      "0099_fails_halfway",
      'CREATE TABLE "fault_probe" (id int);--> statement-breakpoint\nSELECT 1 / 0;',
      last.when + 1000,
    );
    const error = await migrate({ db: testDb.db, migrationsFolder: copy.dir }).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.code).toBe("migration_failed");
    expect(error.message).toContain(
      "0099_fails_halfway.sql failed at statement 2 of 2: division by zero",
    );
    const [probe] = await rows<{ t: string | null }>(
      testDb.db,
      sql`select to_regclass('fault_probe')::text as t`,
    );
    expect(probe?.t).toBeNull();
    expect(await appliedCount(testDb)).toBe(journal.length);

    await copy.write(
      "0099_fails_halfway.sql",
      'CREATE TABLE "fault_probe" (id int);--> statement-breakpoint\nSELECT 1;',
    );
    const fixed = await migrate({ db: testDb.db, migrationsFolder: copy.dir });
    expect(fixed.ran).toEqual(["0099_fails_halfway"]);
    const [after] = await rows<{ t: string | null }>(
      testDb.db,
      sql`select to_regclass('fault_probe')::text as t`,
    );
    expect(after?.t).toBe("fault_probe");
    await testDb.db.execute(sql`drop table fault_probe`);
    await testDb.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = ${last.when + 1000}`,
    );
  });

  it("cannot exit 0 from the CLI", async () => {
    await copy.add("0099_fails_halfway", "SELECT 1 / 0;", last.when + 1000);
    const result = await migrateCli(["--migrations-folder", copy.dir], await cliTarget());
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      "Migration refused: 0099_fails_halfway.sql failed at statement 1 of 1",
    );
  }, 240_000);
});

describe("refusals before any SQL runs", () => {
  it("cannot apply over an applied migration that was edited, naming the file and the fix", async () => {
    await copy.append("0002_initial_schema.sql", "\n-- an innocent-looking edit\n");
    await copy.add("0099_new", 'CREATE TABLE "never_created" (id int);', last.when + 1000);
    const error = await migrate({ db: testDb.db, migrationsFolder: copy.dir }).catch((e) => e);
    expect(error).toMatchObject({ name: "MigrationError", code: "edited_migration" });
    expect(error.message).toContain("0002_initial_schema.sql was edited after it was applied");
    expect(error.message).toContain("git checkout");
    const [table] = await rows<{ t: string | null }>(
      testDb.db,
      sql`select to_regclass('never_created')::text as t`,
    );
    expect(table?.t).toBeNull();
    const cli = await migrateCli(["--migrations-folder", copy.dir], await cliTarget());
    expect(cli.code).not.toBe(0);
    expect(cli.output).toContain("0002_initial_schema.sql was edited after it was applied");
  }, 240_000);

  it("cannot apply an out-of-order migration that drizzle would skip, naming the file and the steps", async () => {
    await copy.add(
      "0001b_merged_late",
      'CREATE TABLE "merged_late" (id int);',
      journal[1]!.when + 1,
    );
    const error = await migrate({ db: testDb.db, migrationsFolder: copy.dir }).catch((e) => e);
    expect(error).toMatchObject({ code: "skipped_migration" });
    expect(error.message).toContain("Migration 0001b_merged_late.sql is not recorded");
    expect(error.message).toContain("pnpm db:generate");
    const cli = await migrateCli(["--migrations-folder", copy.dir], await cliTarget());
    expect(cli.code).not.toBe(0);
    expect(cli.output).toContain("0001b_merged_late.sql");
  }, 240_000);

  it("cannot run against a database ahead of the code", async () => {
    await testDb.db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('f00d', 99999999999999)`,
    );
    try {
      const error = await migrate({ db: testDb.db, migrationsFolder: copy.dir }).catch((e) => e);
      expect(error).toMatchObject({ code: "database_ahead" });
      expect(error.message).toContain("created_at 99999999999999");
    } finally {
      await testDb.db.execute(
        sql`delete from drizzle.__drizzle_migrations where created_at = 99999999999999`,
      );
    }
  });
});

describe("--status and --dry-run", () => {
  it("can report every migration as applied, pending or problem, and change nothing", async () => {
    await copy.add("0099_pending", 'CREATE TABLE "status_probe" (id int);', last.when + 1000);
    await copy.add("0001b_merged_late", "SELECT 1;", journal[1]!.when + 1);
    const result = await migrateCli(
      ["--status", "--migrations-folder", copy.dir],
      await cliTarget(),
    );
    expect(result.output).toContain(
      `Migration state: ${journal.length} applied, ${journal.length + 2} expected, 2 pending`,
    );
    expect(result.output).toMatch(/applied\s+0000_extensions_and_roles\.sql/);
    expect(result.output).toMatch(/pending\s+0099_pending\.sql/);
    expect(result.output).toMatch(
      /problem\s+0001b_merged_late\.sql\s+not applied, but newer migrations are/,
    );
    expect(result.code).not.toBe(0); // a problem is worth a failing exit
    if (testDb.url) expect(await appliedCount(testDb)).toBe(journal.length);
  }, 240_000);

  it("can dry-run: print what would run and apply nothing", async () => {
    await copy.add("0099_pending", 'CREATE TABLE "dry_probe" (id int);', last.when + 1000);
    const lines: string[] = [];
    const result = await migrate({
      db: testDb.db,
      migrationsFolder: copy.dir,
      dryRun: true,
      log: (l) => lines.push(l),
    });
    expect(result).toMatchObject({ dryRun: true, ran: ["0099_pending"] });
    expect(lines).toContain("Would apply 0099_pending.sql (1 statements)");
    const [table] = await rows<{ t: string | null }>(
      testDb.db,
      sql`select to_regclass('dry_probe')::text as t`,
    );
    expect(table?.t).toBeNull();
    expect(await appliedCount(testDb)).toBe(journal.length);
  });
});

describe("connections", () => {
  it("can retry a transient connection error with backoff, then give up with it", async () => {
    const unreachable = createDatabase({
      url: "postgres://postgres@127.0.0.1:9/none",
      connectTimeoutSeconds: 2,
    });
    const lines: string[] = [];
    try {
      const error = await migrate({
        db: unreachable.db,
        retries: 2,
        log: (l) => lines.push(l),
      }).catch((e) => e);
      expect((error.cause ?? error).code ?? error.code).toBe("ECONNREFUSED");
      expect(lines.filter((l) => l.startsWith("Connection problem"))).toHaveLength(2);
    } finally {
      await unreachable.close();
    }
  });

  it("cannot retry a refusal: it is not a connection problem", async () => {
    await copy.append("0002_initial_schema.sql", "\n-- edited\n");
    const lines: string[] = [];
    await expect(
      migrate({ db: testDb.db, migrationsFolder: copy.dir, log: (l) => lines.push(l) }),
    ).rejects.toMatchObject({
      code: "edited_migration",
    });
    expect(lines.some((l) => l.startsWith("Connection problem"))).toBe(false);
  });
});

describe.skipIf(!server)(
  "concurrency and time limits (server; PGlite is one process per data dir)",
  () => {
    let emptyUrl: string;
    let admin: postgres.Sql;
    beforeAll(async () => {
      admin = postgres(testDb.url!, { max: 1, onnotice: () => {} });
    });
    afterAll(() => admin?.end());
    beforeEach(async () => {
      const name = `repo_fault_${process.pid}_${Date.now()}`;
      await admin.unsafe(`create database "${name}"`);
      emptyUrl = Object.assign(new URL(testDb.url!), { pathname: `/${name}` }).toString();
    });
    afterEach(async () => {
      await admin.unsafe(
        `drop database if exists "${new URL(emptyUrl).pathname.slice(1)}" with (force)`,
      );
    });

    it("can run 5 concurrent runners on an empty database: exactly one applies, all exit 0", async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => migrateCli([], { DATABASE_URL: emptyUrl })),
      );
      expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
      const applied = results.filter((r) =>
        r.output.includes(`Applied ${journal.length} migration(s).`),
      );
      const upToDate = results.filter((r) => r.output.includes("Up to date."));
      expect([applied.length, upToDate.length]).toEqual([1, 4]);
      const check = postgres(emptyUrl, { max: 1 });
      const [count] = await check`select count(*)::int as n from drizzle.__drizzle_migrations`;
      await check.end();
      expect(count?.n).toBe(journal.length);
    }, 120_000);

    it("cannot wait forever for another session's lock, and names the role holding it", async () => {
      // Any login can take an advisory lock; the runtime role is the one that must not.
      const asRuntime = new URL(emptyUrl);
      asRuntime.username = "app_runtime";
      asRuntime.password = "app_runtime";
      const holder = createDatabase({ url: asRuntime.toString(), max: 1 });
      const runner = createDatabase({ url: emptyUrl, max: 1 });
      try {
        await holder.db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY_SQL})`);
        const error = await migrate({ db: runner.db, lockTimeoutMs: 300 }).catch((e) => e);
        expect(error).toMatchObject({ code: "lock_timeout" });
        expect(error.message).toMatch(
          /^The migration lock is held by role app_runtime \(pid \d+[^)]*\) and was not released in time\./,
        );
      } finally {
        await holder.close();
        await runner.close();
      }
    });

    it("cannot run past its time limit: the run is rolled back", async () => {
      await copy.add(
        "0099_slow",
        'CREATE TABLE "slow_probe" (id int);--> statement-breakpoint\nSELECT pg_sleep(5);',
        last.when + 1000,
      );
      const runner = createDatabase({ url: emptyUrl, max: 1 });
      try {
        const error = await migrate({
          db: runner.db,
          migrationsFolder: copy.dir,
          timeoutMs: 1500,
        }).catch((e) => e);
        expect(error).toMatchObject({ code: "timeout" });
        const [count] = await rows<{ n: number }>(
          runner.db,
          sql`select count(*)::int as n from pg_tables where schemaname = 'public'`,
        );
        expect(count?.n).toBe(0);
      } finally {
        await runner.close();
      }
    });
  },
);
