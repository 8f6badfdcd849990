import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../connection/client";
import { packageRoot } from "../connection/paths";
import { MigrationError, migrate, readJournal } from "../migrator";
import { createTestDatabase, type TestDatabase } from "../testing";
import { migrateCli } from "./migrate-cli";

const journal = readJournal(path.join(packageRoot, "src/migrations"));
const first = journal[0]!;
const count = journal.length;

describe("readJournal()", () => {
  it("can hash a CRLF copy of a migration exactly as drizzle's readMigrationFiles does", async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), "repo-db-crlf-"));
    try {
      await cp(path.join(packageRoot, "src/migrations"), copy, { recursive: true });
      const file = path.join(copy, first.file);
      const lf = await readFile(file, "utf8");
      expect(lf).not.toContain("\r\n");
      await writeFile(file, lf.replaceAll("\n", "\r\n"));
      const ours = readJournal(copy);
      const drizzles = readMigrationFiles({ migrationsFolder: copy });
      expect(ours.map((m) => m.hash)).toEqual(drizzles.map((m) => m.hash));
      // Raw bytes are hashed: a CRLF checkout would look edited, hence eol=lf below.
      expect(ours[0]!.hash).not.toBe(first.hash);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("can keep migrations LF in every checkout (.gitattributes eol=lf)", () => {
    const attribute = execFileSync(
      "git",
      ["check-attr", "eol", "--", path.join("src/migrations", first.file)],
      { cwd: packageRoot, encoding: "utf8" },
    );
    expect(attribute.trim()).toBe(`src/migrations/${first.file}: eol: lf`);
  });
});

describe("migrate()", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb?.dispose());

  it("can run on a migrated database and apply nothing", async () => {
    const lines: string[] = [];
    const result = await migrate({ db: testDb.db, log: (line) => lines.push(line) });
    expect(result.ran).toEqual([]);
    expect(lines).toEqual([`Migration state: ${count} applied, ${count} expected, 0 pending`]);
  });

  it("cannot run when a migration's row is missing but newer ones are recorded", async () => {
    await testDb.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = ${first.when}`,
    );
    const lines: string[] = [];
    const error = await migrate({ db: testDb.db, log: (line) => lines.push(line) }).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.code).toBe("skipped_migration");
    expect(error.message).toContain(
      `Migration ${first.file} is not recorded in drizzle.__drizzle_migrations`,
    );
    expect(lines).toEqual([`Migration state: ${count - 1} applied, ${count} expected, 1 pending`]);
    // The fix the message gives works.
    await testDb.db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${first.hash}, ${first.when})`,
    );
    expect((await migrate({ db: testDb.db })).after.pending).toEqual([]);
  });

  it("cannot run when the database has migrations the journal does not list", async () => {
    await testDb.db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('feed', 99999999999999)`,
    );
    const error = await migrate({ db: testDb.db }).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.code).toBe("database_ahead");
    expect(error.message).toContain("ahead of this code");
    await testDb.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = 99999999999999`,
    );
  });
});

describe("pnpm db:migrate (the CLI)", () => {
  let dataDir: string;
  let testDb: TestDatabase;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "repo-db-cli-"));
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  // On the server provider the CLI migrates this file's database; on embedded, a fresh data dir.
  const target = (): Record<string, string> =>
    testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: dataDir };

  /** Deletes the first migration's row through the same target the CLI uses. */
  async function deleteFirstRow() {
    const handle = createDatabase(testDb.url ? { url: testDb.url, max: 1 } : { dataDir });
    try {
      await handle.db.execute(
        sql`delete from drizzle.__drizzle_migrations where created_at = ${first.when}`,
      );
    } finally {
      await handle.close();
    }
  }

  // Two CLI runs, each a tsx start-up plus PGlite: 60 s was not enough on a loaded 2-core machine.
  it("can run twice: the second run reports nothing pending and exits 0", async () => {
    await migrateCli([], target());
    const second = await migrateCli([], target());
    expect(second.output).toContain(
      `Migration state: ${count} applied, ${count} expected, 0 pending`,
    );
    expect(second.code).toBe(0);
  }, 240_000);

  it("exits non-zero naming the mismatch when a row was deleted from drizzle.__drizzle_migrations", async () => {
    await deleteFirstRow();
    const result = await migrateCli([], target());
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      `Migration state: ${count - 1} applied, ${count} expected, 1 pending`,
    );
    expect(result.output).toContain(`Migration refused: Migration ${first.file} is not recorded`);
  }, 240_000);
});
