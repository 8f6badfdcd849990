import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "../connection/paths";
import { lintMigrations } from "../tooling/lint";

const TENANT_TABLE = `CREATE TABLE IF NOT EXISTS "widget" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL
);`;
const POLICY = (command: string) =>
  `CREATE POLICY "widget_tenant_${command}" ON "widget" AS PERMISSIVE FOR ${command} TO "authenticated" USING (true);`;

// One fixture migration per rule; each must be caught, by the rule's name, on its file.
const violations: [rule: string, file: string, sql: string][] = [
  ["ban-drop-table", "0101_drop_table.sql", 'DROP TABLE "research_plan";'],
  ["ban-drop-column", "0102_drop_column.sql", 'ALTER TABLE "research_plan" DROP COLUMN "title";'],
  [
    "changing-column-type",
    "0103_change_type.sql",
    'ALTER TABLE "research_plan" ALTER COLUMN "title" SET DATA TYPE varchar(50);',
  ],
  [
    "adding-required-field",
    "0104_not_null.sql",
    'ALTER TABLE "research_plan" ADD COLUMN "owner" text NOT NULL;',
  ],
  [
    "create-index-unguarded",
    "0105_index.sql",
    'CREATE INDEX "research_plan_title_idx" ON "research_plan" ("title");',
  ],
  [
    "create-type-unguarded",
    "0106_type.sql",
    `CREATE TYPE "public"."mood" AS ENUM('calm', 'busy');`,
  ],
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "repo-db-lint-fixture-"));
  for (const [, file, sql] of violations) await writeFile(path.join(dir, file), sql);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("migration lint (pnpm db:lint)", () => {
  it("can pass the committed migrations", async () => {
    expect(await lintMigrations(migrationsFolder)).toEqual([]);
  });

  it.each(violations)("catches %s in a fixture migration", async (rule, file) => {
    const findings = await lintMigrations(dir, [file]);
    expect(findings.map((f) => f.rule)).toContain(rule);
    expect(
      findings.filter((f) => f.rule === rule).every((f) => f.file === file && f.line >= 1),
    ).toBe(true);
  });

  it("can pass a tenant table with RLS and its four policies, and guarded statements", async () => {
    const file = "0110_correct.sql";
    await writeFile(
      path.join(dir, file),
      [
        TENANT_TABLE,
        'ALTER TABLE "widget" ENABLE ROW LEVEL SECURITY;',
        ...["SELECT", "INSERT", "UPDATE", "DELETE"].map(POLICY),
        'CREATE INDEX IF NOT EXISTS "widget_organizationId_idx" ON "widget" ("organization_id");',
        `DO $$ BEGIN\n CREATE TYPE "public"."shape" AS ENUM('round');\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;`,
      ].join("--> statement-breakpoint\n"),
    );
    expect(await lintMigrations(dir, [file])).toEqual([]);
  });

  it("can pass an unguarded index on a table the same migration creates, and only then", async () => {
    const file = "0113_new_table.sql";
    await writeFile(
      path.join(dir, file),
      [
        'CREATE TABLE "gadget" (\n\t"id" text PRIMARY KEY NOT NULL\n);',
        'CREATE INDEX "gadget_id_idx" ON "gadget" USING btree ("id");',
        TENANT_TABLE,
        'CREATE INDEX "widget_id_idx" ON "widget" USING btree ("id");',
        'CREATE INDEX "research_plan_x_idx" ON "research_plan" USING btree ("title");',
      ].join("--> statement-breakpoint\n"),
    );
    const findings = await lintMigrations(dir, [file]);
    // widget is created IF NOT EXISTS (it may already be there), research_plan not at all.
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ["create-index-unguarded", 9],
      ["create-index-unguarded", 10],
    ]);
  });

  it("can accept a reviewed exception with a reason, and only for that statement", async () => {
    const file = "0111_reviewed.sql";
    await writeFile(
      path.join(dir, file),
      [
        '-- lint-ignore: ban-drop-column the column was unused for a release (ticket 42)\nALTER TABLE "research_plan" DROP COLUMN "title";',
        '-- lint-ignore: create-index-unguarded the index is new in this migration\nCREATE INDEX "a_idx" ON "research_plan" ("status");',
        'ALTER TABLE "research_plan" DROP COLUMN "objective";',
      ].join("--> statement-breakpoint\n"),
    );
    const findings = await lintMigrations(dir, [file]);
    expect(findings.map((f) => [f.rule, f.line])).toEqual([["ban-drop-column", 5]]);
  });

  it("cannot accept an exception without a reason", async () => {
    const file = "0112_no_reason.sql";
    await writeFile(
      path.join(dir, file),
      '-- lint-ignore: ban-drop-table\nDROP TABLE "research_plan";',
    );
    const findings = await lintMigrations(dir, [file]);
    expect(findings.map((f) => f.rule)).toContain("lint-ignore-without-reason");
  });
});
