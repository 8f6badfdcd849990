import postgres from "postgres";
import { attachReplica, createDatabase, type Database } from "../connection/client";
import { env } from "../connection/env";
import type { TestDatabase } from "./types";

/** A test database's replica: the same database on TEST_REPLICA_URL's standby. */
export interface TestReplica {
  /** The test database on the standby, logged in like `app` (app_runtime). */
  readonly app: Database;
  /** Resolves once the standby has replayed everything the primary has written so far. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

function onServer(databaseUrl: string, server: string): string {
  const next = new URL(databaseUrl);
  const via = new URL(server);
  next.hostname = via.hostname;
  next.port = via.port;
  return next.toString();
}

/**
 * Opens `test`'s database on the streaming replica (TEST_REPLICA_URL) and attaches it to
 * `test.app`, so read-only tenant units on `test.app` run there. The database was created on
 * the primary: this waits for the standby to replay its creation first.
 */
export async function openTestReplica(test: TestDatabase): Promise<TestReplica> {
  const { TEST_REPLICA_URL } = env();
  if (!TEST_REPLICA_URL || !test.url || !test.appUrl) {
    throw new Error(
      "openTestReplica needs a server test database and TEST_REPLICA_URL (a streaming replica of TEST_DATABASE_URL's server, e.g. from .ci/replica.sh).",
    );
  }
  const primary = postgres(test.url, { max: 1, onnotice: () => {}, idle_timeout: 2 });
  const standby = postgres(TEST_REPLICA_URL, { max: 1, onnotice: () => {}, idle_timeout: 2 });
  const caughtUp = async () => {
    // The insert position, not the flushed one: with synchronous_commit off (the CI server)
    // a commit record may still sit in WAL buffers; the standby gets it once it is flushed.
    const [written] = await primary`select pg_current_wal_insert_lsn()::text as lsn`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [replayed] =
        await standby`select pg_last_wal_replay_lsn() >= ${written?.lsn}::pg_lsn as done`;
      if (replayed?.done) return;
      if (Date.now() > deadline) {
        throw new Error(
          `The replica at ${new URL(TEST_REPLICA_URL).host} has not replayed the primary's WAL up to ${written?.lsn} in 30 s: is it streaming (pg_stat_replication on the primary)?`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await caughtUp();
  const replica = createDatabase({
    url: onServer(test.appUrl, TEST_REPLICA_URL),
    max: 4,
    prepare: env().DB_PREPARED_STATEMENTS,
    acquireTimeoutMs: 60_000,
  });
  attachReplica(test.app, replica.db);
  return {
    app: replica.db,
    caughtUp,
    close: async () => {
      await Promise.all([
        replica.close(),
        primary.end({ timeout: 5 }),
        standby.end({ timeout: 5 }),
      ]);
    },
  };
}
