import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Fixture, repoRoot } from "./fixture";

let fixture: Fixture;
beforeEach(async () => {
  fixture = await Fixture.create();
});
afterEach(() => fixture?.dispose());

describe("Biome (pnpm lint)", () => {
  it("cannot pass unformatted code", async () => {
    await fixture.copyFromRepo("biome.json");
    await fixture.write("src/ugly.ts", "export const  x = {a:1,\n b:2}\n");
    const result = await fixture.tool("biome", ["ci", "--vcs-enabled=false", "--colors=off", "."]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("File content differs from formatting output");
  });

  it("cannot pass a lint error", async () => {
    await fixture.copyFromRepo("biome.json");
    await fixture.write(
      "src/lint.ts",
      "export function f(a: number) {\n  if (a == 1) return a;\n  return 0;\n}\n",
    );
    const result = await fixture.tool("biome", ["ci", "--vcs-enabled=false", "--colors=off", "."]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("lint/suspicious/noDoubleEquals");
  });
});

describe("knip (pnpm check:knip)", () => {
  it("cannot pass an unused file, export or dependency", async () => {
    await fixture.write(
      "package.json",
      JSON.stringify({
        name: "fixture",
        type: "module",
        main: "src/index.ts",
        dependencies: { "left-pad": "1.0.0" },
      }),
    );
    await fixture.write("src/index.ts", 'import { used } from "./lib";\nconsole.log(used);\n');
    await fixture.write("src/lib.ts", "export const used = 1;\nexport const forgotten = 2;\n");
    await fixture.write("src/orphan.ts", "export const nobody = 3;\n");
    const result = await fixture.tool("knip", ["--no-progress", "--no-gitignore"]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/Unused files[\s\S]*src\/orphan\.ts/);
    expect(result.output).toMatch(/Unused exports[\s\S]*forgotten/);
    expect(result.output).toMatch(/Unused dependencies[\s\S]*left-pad/);
  });
});

describe("jscpd (pnpm check:dupes)", () => {
  it("cannot pass duplication over the threshold", async () => {
    await fixture.copyFromRepo(".jscpd.json");
    const body = Array.from(
      { length: 14 },
      (_, i) => `  total += values[${i}] * ${i + 3} - offset;`,
    ).join("\n");
    const fn = (name: string) =>
      `export function ${name}(values: number[], offset: number) {\n  let total = 0;\n${body}\n  return total;\n}\n`;
    await fixture.write("packages/a/src/one.ts", fn("one"));
    await fixture.write("packages/b/src/two.ts", fn("two"));
    const result = await fixture.tool("jscpd", ["--config", ".jscpd.json", "packages"]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/too many duplicates|threshold/i);
  });
});

describe("doc-update detection (pnpm check:docs)", () => {
  const git = (...args: string[]) => fixture.run("git", args);
  const checkDocs = () =>
    fixture.run("node", [path.join(repoRoot, "scripts/check-docs.mjs")], { CI: "true" });

  beforeEach(async () => {
    await git("init", "-q", "-b", "main");
    await git("config", "user.email", "ci@example.test");
    await git("config", "user.name", "ci");
    await fixture.write("packages/db/src/schema/plan.ts", "export const plan = 1;\n");
    await fixture.write("packages/db/CLAUDE.md", "# db\n");
    await git("add", "-A");
    await git("commit", "-qm", "base");
  });

  it("cannot pass a schema change without a docs change", async () => {
    await fixture.write("packages/db/src/schema/plan.ts", "export const plan = 2;\n");
    await git("commit", "-qam", "change the schema");
    const result = await checkDocs();
    expect(result.code).toBe(1);
    expect(result.output).toContain("packages/db/src/schema/plan.ts");
    expect(result.output).toContain("packages/db/CLAUDE.md: Non-Tenant Tables");
    expect(result.output).toContain("docs-reviewed");
  });

  it("can pass a schema change whose commit says docs-reviewed", async () => {
    await fixture.write("packages/db/src/schema/plan.ts", "export const plan = 2;\n");
    await git("commit", "-qam", "change the schema (docs-reviewed: no doc mentions it)");
    expect((await checkDocs()).code).toBe(0);
  });

  it("can pass a schema change that comes with a docs change", async () => {
    await fixture.write("packages/db/src/schema/plan.ts", "export const plan = 2;\n");
    await fixture.write("packages/db/CLAUDE.md", "# db\n\nplan is 2 now\n");
    await git("commit", "-qam", "change the schema and its docs");
    expect((await checkDocs()).code).toBe(0);
  });

  it("can pass an uncommitted schema change with DOCS_REVIEWED set, outside CI only", async () => {
    const base = (await git("rev-parse", "HEAD")).output.trim();
    await fixture.write("packages/db/src/schema/plan.ts", "export const plan = 2;\n");
    const local = (vars: NodeJS.ProcessEnv) =>
      fixture.run("node", [path.join(repoRoot, "scripts/check-docs.mjs")], {
        CI: "",
        DOCS_BASE: base,
        ...vars,
      });
    const refused = await local({ DOCS_REVIEWED: "" });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("DOCS_REVIEWED=1 pnpm ci:check");
    const reviewed = await local({ DOCS_REVIEWED: "1" });
    expect(reviewed.code, reviewed.output).toBe(0);
    expect(reviewed.output).toContain("DOCS_REVIEWED is set");
    // In CI only a commit message counts: an environment variable could be set for every run.
    expect((await local({ DOCS_REVIEWED: "1", CI: "true" })).code).toBe(1);
  });

  it("cannot count the generated erd.md as a docs change", async () => {
    await fixture.write("packages/db/src/migrations/0001_x.sql", "select 1;\n");
    await fixture.write("packages/db/docs/erd.md", "generated\n");
    await git("add", "-A");
    await git("commit", "-qm", "migration and regenerated ERD");
    expect((await checkDocs()).code).toBe(1);
  });
});
