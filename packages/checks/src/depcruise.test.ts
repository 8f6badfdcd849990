import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Fixture } from "./fixture";

// A miniature of the monorepo with one offending file per rule, checked with the real config.
let fixture: Fixture;
let violations: { rule: string; from: string; to: string }[];

beforeAll(async () => {
  fixture = await Fixture.create();
  await fixture.copyFromRepo(".dependency-cruiser.cjs");
  await fixture.copyFromRepo("tsconfig.base.json");
  await fixture.write(
    "packages/db/package.json",
    JSON.stringify({
      name: "@repo/db",
      exports: {
        ".": "./src/index.ts",
        "./admin": "./src/admin.ts",
        "./schema": "./src/schema/index.ts",
        "./sql": "./src/sql.ts",
      },
    }),
  );
  await fixture.write("packages/db/src/index.ts", "export const getDb = () => 1;\n");
  await fixture.write("packages/db/src/admin.ts", "export const migrate = () => 1;\n");
  await fixture.write("packages/db/src/sql.ts", "export const eq = 1;\n");
  await fixture.write("packages/db/src/client.ts", "export const createDatabase = () => 1;\n");
  await fixture.write("packages/db/src/env.ts", "export const env = () => ({});\n");
  await fixture.write("packages/db/src/schema/index.ts", 'export * from "./auth";\n');
  await fixture.write("packages/db/src/schema/base.ts", "export const base = 1;\n");
  // Offends schema-imports-only-schema: a schema file reaching outside the schema.
  await fixture.write(
    "packages/db/src/schema/auth.ts",
    'import { env } from "../env";\nimport { base } from "./base";\nexport const user = [env, base];\n',
  );
  // Offend no-circular.
  await fixture.write(
    "packages/db/src/a.ts",
    'import { b } from "./b";\nexport const a = () => b;\n',
  );
  await fixture.write(
    "packages/db/src/b.ts",
    'import { a } from "./a";\nexport const b = () => a;\n',
  );
  await fixture.link("packages/db", "node_modules/@repo/db");
  await fixture.write(
    "node_modules/drizzle-orm/package.json",
    JSON.stringify({ name: "drizzle-orm", main: "index.js" }),
  );
  await fixture.write("node_modules/drizzle-orm/index.js", "export const eq = 1;\n");
  await fixture.write(
    "apps/web/src/ok.ts",
    'import { getDb } from "@repo/db";\nexport const ok = getDb;\n',
  );
  await fixture.write(
    "apps/web/src/admin.ts",
    'import { migrate } from "@repo/db/admin";\nexport const bad = migrate;\n',
  );
  await fixture.write(
    "apps/web/src/deep.ts",
    'import { createDatabase } from "../../../packages/db/src/client";\nexport const bad = createDatabase;\n',
  );
  await fixture.write(
    "apps/web/src/orm.ts",
    'import { eq } from "drizzle-orm";\nexport const bad = eq;\n',
  );

  // Offends routes-no-sql: a route writing its own query; a test may.
  await fixture.write(
    "apps/web/src/routes/plans.ts",
    'import { eq } from "@repo/db/sql";\nexport const bad = eq;\n',
  );
  await fixture.write(
    "apps/web/src/__tests__/plans.test.ts",
    'import { eq } from "@repo/db/sql";\nexport const ok = eq;\n',
  );

  const result = await fixture.tool("depcruise", [
    "--config",
    ".dependency-cruiser.cjs",
    "--output-type",
    "json",
    "apps",
    "packages",
  ]);
  const report = JSON.parse(result.output.slice(result.output.indexOf("{")));
  violations = report.summary.violations.map(
    (v: { rule: { name: string }; from: string; to: string }) => ({
      rule: v.rule.name,
      from: v.from,
      to: v.to,
    }),
  );
});
afterAll(() => fixture?.dispose());

describe("dependency-cruiser (pnpm check:deps)", () => {
  it("cannot let an app import @repo/db/admin", () => {
    expect(violations).toContainEqual({
      rule: "apps-no-db-admin",
      from: "apps/web/src/admin.ts",
      to: "packages/db/src/admin.ts",
    });
  });

  it("cannot let an app import a file inside packages/db/src", () => {
    expect(violations).toContainEqual({
      rule: "apps-only-db-public-api",
      from: "apps/web/src/deep.ts",
      to: "packages/db/src/client.ts",
    });
  });

  it("cannot let an app depend on drizzle-orm directly", () => {
    expect(violations.filter((v) => v.rule === "apps-no-drizzle-orm").map((v) => v.from)).toEqual([
      "apps/web/src/orm.ts",
    ]);
  });

  it("cannot let a schema file import outside the schema", () => {
    expect(violations).toContainEqual({
      rule: "schema-imports-only-schema",
      from: "packages/db/src/schema/auth.ts",
      to: "packages/db/src/env.ts",
    });
  });

  it("cannot have import cycles", () => {
    const cycles = violations.filter((v) => v.rule === "no-circular");
    expect(cycles).toHaveLength(1); // reported once per cycle
    expect([cycles[0]?.from, cycles[0]?.to].sort()).toEqual([
      "packages/db/src/a.ts",
      "packages/db/src/b.ts",
    ]);
  });

  it("cannot let a route file import query code", () => {
    expect(violations.filter((v) => v.rule === "routes-no-sql")).toEqual([
      { rule: "routes-no-sql", from: "apps/web/src/routes/plans.ts", to: "packages/db/src/sql.ts" },
    ]);
  });

  it("can let an app import @repo/db's public entry", () => {
    expect(violations.filter((v) => v.from === "apps/web/src/ok.ts")).toEqual([]);
  });
});
