import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../connection/env";

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
});
