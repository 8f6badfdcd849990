import type { Database } from "../client";

export type TestDatabaseProvider = "server" | "docker" | "embedded";

/** One test file's own database: migrated, empty, and gone after dispose(). */
export interface TestDatabase {
  readonly provider: TestDatabaseProvider;
  /**
   * Connected as the owner (a superuser, which bypasses RLS): use it to seed and to re-check
   * rows. Exercise tenant access with `SET LOCAL ROLE authenticated` inside a transaction.
   */
  readonly db: Database;
  /** Owner URL of this database (server providers only), e.g. to run a CLI against it. */
  readonly url: string | undefined;
  /**
   * The same database as a non-superuser LOGIN role that may only `SET ROLE authenticated`
   * (server providers only; embedded PGlite has a single connection, no logins).
   */
  readonly loginUrl: string | undefined;
  dispose(): Promise<void>;
}
