import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../connection/paths";
import { checkSchemaDrift } from "../tooling/drift";

// A fixture schema inside the package (git-ignored folder) so drizzle-kit resolves drizzle-orm.
const fixtureDir = path.join(packageRoot, ".test-results/drift-fixture");
afterAll(() => rm(fixtureDir, { recursive: true, force: true }));

describe("schema drift (pnpm db:check)", () => {
  it("cannot differ from the latest snapshot: db:generate on this schema generates nothing", async () => {
    const report = await checkSchemaDrift();
    expect(report.wouldGenerate).toEqual([]);
    expect(report.output).toContain("No schema changes, nothing to migrate");
    expect(report.inSync).toBe(true);
  }, 240_000);

  it("catches a schema edited without db:generate", async () => {
    await mkdir(fixtureDir, { recursive: true });
    await writeFile(
      path.join(fixtureDir, "schema.ts"),
      [
        'import { pgTable, text } from "drizzle-orm/pg-core";',
        'export * from "../../src/schema/index";',
        'export const driftProbe = pgTable("drift_probe", { id: text("id").primaryKey() });',
      ].join("\n"),
    );
    const report = await checkSchemaDrift("./.test-results/drift-fixture/schema.ts");
    expect(report.inSync).toBe(false);
    expect(report.wouldGenerate.some((file) => /^\d{4}_\w+\.sql$/.test(file))).toBe(true);
  }, 240_000);
});
