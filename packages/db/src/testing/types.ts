import type { Database } from "../connection/client";

export type TestDatabaseProvider = "server" | "docker" | "citus" | "embedded";

/** One test file's own database: migrated, empty, and gone after dispose(). */
export interface TestDatabase {
  readonly provider: TestDatabaseProvider;
  /**
   * Connected as the owner (a superuser, which bypasses RLS): use it to seed and to re-check
   * rows. Exercise tenant access with `SET LOCAL ROLE authenticated` inside a transaction.
   */
  readonly db: Database;
  /**
   * The same database as apps see it: role app_runtime, which may only SET ROLE
   * authenticated (withTenantContext). Server providers log in as app_runtime; embedded
   * PGlite (one session) runs each statement under SET LOCAL ROLE app_runtime.
   */
  readonly app: Database;
  /** Owner URL of this database (server providers only), e.g. to run a CLI against it. */
  readonly url: string | undefined;
  /** The same database logged in as app_runtime (server providers only). */
  readonly appUrl: string | undefined;
  dispose(): Promise<void>;
}
