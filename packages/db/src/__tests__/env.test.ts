import { describe, expect, it } from "vitest";
import { EnvError, parseEnv, unknownSettings } from "../connection/env";

describe("configuration", () => {
  it("can be empty: the embedded database and default pool settings", () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PGLITE_DATA_DIR).toMatch(/\.data\/pglite$/);
    expect(env).toMatchObject({ DB_POOL_MAX: 10, DB_PREPARED_STATEMENTS: true });
  });

  it("cannot be invalid: every problem is reported in one typed error", () => {
    let error: unknown;
    try {
      parseEnv({
        DATABASE_URL: "mysql://nope",
        DB_POOL_MAX: "-3",
        DB_PREPARED_STATEMENTS: "maybe",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as EnvError).message;
    expect(message).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(message).toContain("DB_POOL_MAX:");
    expect(message).toContain("DB_PREPARED_STATEMENTS:");
  });

  it("treats an empty DATABASE_URL as unset", () => {
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("cannot take a misspelt setting silently: the likely intended one is named", () => {
    expect(unknownSettings(["DATABSE_URL", "DB_POOL_MAXX", "DB_NOTHING_LIKE_IT", "HOME"])).toEqual([
      "Unknown setting DATABSE_URL: did you mean DATABASE_URL?",
      "Unknown setting DB_POOL_MAXX: did you mean DB_POOL_MAX?",
      "Unknown setting DB_NOTHING_LIKE_IT: no such setting (see .env.example).",
    ]);
  });
});
