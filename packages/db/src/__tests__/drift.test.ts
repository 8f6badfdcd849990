import { describe, expect, it } from "vitest";
import { checkSchemaDrift } from "../migrator/drift";

describe("schema drift", () => {
  it("cannot differ from the latest snapshot: db:generate on this schema generates nothing", async () => {
    const report = await checkSchemaDrift();
    expect(report.wouldGenerate).toEqual([]);
    expect(report.output).toContain("No schema changes, nothing to migrate");
    expect(report.inSync).toBe(true);
  }, 60_000);
});
