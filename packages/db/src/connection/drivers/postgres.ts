import { createTableRelationsHelpers, extractTablesRelationalConfig } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/postgres-js";
import { PostgresJsSession, PostgresJsTransaction } from "drizzle-orm/postgres-js/session";
import postgres from "postgres";
import * as schema from "../../schema";
import { DatabaseUnavailableError, errorCode } from "../errors";
import { KeyedLimiter } from "./limiter";
import type { Database, Transaction } from "./types";
import {
  finalStatementOf,
  isSetStatement,
  type UnitFunction,
  type UnitOptions,
  type UnitRunner,
} from "./unit";

export interface PostgresTarget {
  url: string;
  /** Pool size (connections). */
  max?: number;
  idleTimeoutSeconds?: number;
  connectTimeoutSeconds?: number;
  /**
   * A connection is replaced after this long: it bounds each connection's cache of prepared
   * statements (one per distinct query text) and picks up server-side role changes.
   */
  maxLifetimeSeconds?: number;
  /**
   * Named prepared statements for drizzle queries (one round trip per cached statement
   * instead of two). Off behind a transaction pooler that cannot keep them (PgBouncer < 1.21).
   */
  prepare?: boolean;
  /** Longest wait for a pooled connection (and a tenant's share of them) before a 503. */
  acquireTimeoutMs?: number;
  /**
   * Tenant units one organization may run at once (default: a quarter of the pool); the rest
   * of the pool, and of the server's cores, stays for the others.
   */
  tenantConcurrency?: number;
  /** Run as this role (a startup parameter): development on direct connections only. */
  role?: string;
  /** Session settings sent as startup parameters (direct connections only: poolers refuse them). */
  settings?: Readonly<Record<string, string>>;
}

export interface PostgresHandle {
  readonly db: Database;
  readonly units: UnitRunner;
  close(): Promise<void>;
}

/**
 * The client drizzle's own queries (those outside tenant units) go through. Each runs alone
 * on a connection reserved for it: pipelining statements of different transactions on one
 * connection is what a transaction pooler (PgBouncer < 1.21) cannot follow, and would hang.
 * drizzle's postgres-js session asks for `prepare: false` unless a query is `.prepare(name)`d;
 * this client passes the pool's choice instead, so every drizzle query is a named, cached
 * statement when prepared statements are enabled. A statement the server lost (26000: a
 * pooler moved us to another backend) never ran outside a transaction, so it is sent again
 * unnamed after `lost()` has turned prepared statements off.
 */
function autocommitClient(
  pool: postgres.Sql,
  reserve: () => Promise<Reserved>,
  prepare: () => boolean,
  lost: () => void,
): postgres.Sql {
  const unsafe = (query: string, params?: unknown[], options?: object) => {
    // biome-ignore lint/suspicious/noExplicitAny: rows as drizzle reads them
    const run = async (named: boolean, values: boolean): Promise<any> => {
      const connection = await reserve();
      try {
        const pending = connection.unsafe(query, params as postgres.ParameterOrJSON<never>[], {
          ...options,
          prepare: named,
        });
        return await (values ? pending.values() : pending);
      } finally {
        connection.release();
      }
    };
    // biome-ignore lint/suspicious/noExplicitAny: rows as drizzle reads them
    const attempt = (values: boolean): Promise<any> => {
      const named = prepare();
      return run(named, values).catch((error: unknown) => {
        if (!named || errorCode(error) !== "26000") throw error;
        lost();
        return run(false, values);
      });
    };
    // biome-ignore lint/suspicious/noExplicitAny: rows as drizzle reads them
    let rows: Promise<any> | undefined;
    return {
      // biome-ignore lint/suspicious/noThenProperty: drizzle awaits what unsafe() returns
      then: (resolve?: (value: unknown) => unknown, reject?: (reason: unknown) => unknown) => {
        rows ??= attempt(false);
        return rows.then(resolve, reject);
      },
      values: () => attempt(true),
    };
  };
  return new Proxy(pool, {
    get: (target, key, receiver) =>
      key === "unsafe" ? unsafe : Reflect.get(target, key, receiver),
  });
}

/** What the pool learns about its server from its first unit. */
interface ServerTraits {
  /** Citus (SET LOCAL replayed on workers): undefined until a unit has asked. */
  citus: boolean | undefined;
}

const CITUS_PROBE = "select current_setting('citus.version', true) is not null as citus";

type Reserved = postgres.ReservedSql;

/**
 * One tenant unit on a reserved connection, with the transaction on the wire in our hands:
 * BEGIN and the setup go out as one simple-protocol message (two on Citus) in the same write
 * as fn's first statement (postgres.js coalesces everything issued in one tick); the last
 * statement, when fn hands it over, in the same write as COMMIT. A one-statement unit is one
 * round trip.
 * COMMIT's command tag is checked: a server that answers ROLLBACK (an aborted transaction,
 * whatever the driver did before) makes the unit fail, never resolve.
 */
async function runPipelined(
  connection: Reserved,
  server: ServerTraits,
  prepare: boolean,
  makeTransaction: (client: object) => Transaction,
  setup: readonly string[],
  fn: UnitFunction,
  { readOnly, onSetup }: UnitOptions,
): Promise<unknown> {
  let failure: unknown; // the first statement error in the current (save)point scope
  // biome-ignore lint/suspicious/noExplicitAny: postgres.js result rows are untyped here
  const track = <Q extends postgres.PendingQuery<any>>(query: Q): Q => {
    query.catch((error: unknown) => {
      failure ??= error;
    });
    return query; // .catch above already sent it; callers await the query itself
  };
  const send = (text: string) => track(connection.unsafe(text));

  // True while the final statement is being issued: drizzle sends a query synchronously
  // when it is first awaited, so the one sent in that window is the final one.
  let issuingFinal = false;
  let commit: ReturnType<typeof send> | undefined;
  let savepoints = 0;
  const client = {
    unsafe(query: string, params?: unknown[], options?: object) {
      // Behind COMMIT a statement would run outside the unit, as app_runtime: never send it.
      if (commit) return refusedAfterCommit();
      const pending = track(
        connection.unsafe(query, params as postgres.ParameterOrJSON<never>[], {
          ...options,
          prepare,
        }),
      );
      if (issuingFinal && !commit) commit = send("commit");
      return pending;
    },
    // drizzle's nested tx.transaction() calls this (postgres.js semantics).
    async savepoint(body: (inner: object) => Promise<unknown>) {
      const name = `unit_savepoint_${++savepoints}`;
      const outer = failure;
      failure = undefined;
      await send(`savepoint ${name}`);
      try {
        const value = await body(client);
        if (failure) throw failure;
        await send(`release savepoint ${name}`);
        failure = outer;
        return value;
      } catch (error) {
        failure = undefined;
        await send(`rollback to savepoint ${name}`).catch(() => {});
        failure ??= outer;
        throw error;
      }
    },
  };

  // BEGIN with the setup's queries (the token check, the role's set_config) and its SET
  // statements: one simple-protocol message, or on Citus two in one write (the SETs alone).
  // Citus replays a SET LOCAL on every worker connection it opens later in the transaction as
  // the whole text of the message that carried it: a query there would run again on the
  // workers. Until the pool knows its server, units take the two-message form and ask.
  const queries = setup.filter((statement) => !isSetStatement(statement));
  const sets = setup.filter(isSetStatement);
  if (setup.slice(0, queries.length).some(isSetStatement)) {
    // Sent in two groups, a setup in another order would run in another order here.
    throw new Error("A tenant unit's setup must list its queries before its SET statements.");
  }
  const probing = server.citus === undefined;
  const together = server.citus === false;
  const first = [
    `begin${readOnly ? " read only" : ""}`,
    ...queries,
    ...(probing ? [CITUS_PROBE] : []),
    ...(together ? sets : []),
  ];
  const begin = send(first.join("; "));
  const setting = !together && sets.length > 0 ? send(sets.join("; ")) : undefined;
  const setupDone = Promise.all([begin, setting]);
  setupDone.catch(() => {}); // awaited below, maybe after it failed: not an unhandled rejection
  if (onSetup || probing) {
    // The queries' rows as soon as they arrive, also when the unit then fails (BEGIN's first;
    // a one-statement simple query answers one result, not a list).
    begin.then(
      (results) => {
        const answered =
          first.length > 1 ? (results as unknown as postgres.Row[][]) : [results as postgres.Row[]];
        // Only a clear answer counts: anything else leaves the pool asking (the split form).
        const citus = answered[1 + queries.length]?.[0]?.citus;
        if (probing && typeof citus === "boolean") server.citus = citus;
        onSetup?.(answered.slice(1, 1 + queries.length));
      },
      () => {},
    );
  }
  try {
    let value: unknown = fn(makeTransaction(client));
    let last = finalStatementOf(value);
    if (!last && isThenable(value)) {
      value = await value;
      last = finalStatementOf(value);
    }
    if (last) {
      const statement = last;
      value = await new Promise((resolve, reject) => {
        issuingFinal = true;
        try {
          statement.then(resolve, reject);
        } catch (error) {
          reject(error);
        } finally {
          issuingFinal = false;
        }
      });
    }
    await setupDone;
    if (failure) throw failure;
    commit ??= send("commit");
    await verifyCommit(commit);
    return value;
  } catch (error) {
    // In order: the setup's error explains every later one (25P02 "transaction is aborted").
    const setupError = await setupDone.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    await connection.unsafe("rollback").catch(() => {});
    throw setupError ?? error;
  }
}

/** What a statement issued after its unit's final one gets instead of running after COMMIT. */
function refusedAfterCommit() {
  const refused = Promise.reject(
    new Error(
      "A statement was issued after the unit's final statement (the one sent with COMMIT) and was not run: await every statement before returning the last one.",
    ),
  );
  refused.catch(() => {}); // a statement nobody awaits must not crash the process
  // drizzle reads rows through .values()
  return Object.assign(refused, { values: () => refused });
}

/**
 * Resolves when COMMIT committed. Postgres answers COMMIT of an aborted transaction with the
 * tag ROLLBACK and no error: whatever hid the error before (a driver's retry, a pooler), the
 * unit must fail then, not resolve.
 */
export async function verifyCommit(commit: PromiseLike<{ command: string }>): Promise<void> {
  const result = await commit;
  if (result.command !== "COMMIT") {
    throw new DatabaseUnavailableError(
      "rolled_back",
      `COMMIT was answered with ${result.command || "no command tag"}: the transaction had been aborted, nothing was stored (behind a transaction pooler, check DB_PREPARED_STATEMENTS).`,
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** Resolves with a reserved connection, or rejects after `ms` (releasing it when it comes). */
function reserveWithin(pool: postgres.Sql, ms: number): Promise<Reserved> {
  const reserving = pool.reserve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reserving.then((connection) => connection.release()).catch(() => {});
      reject(
        new DatabaseUnavailableError(
          "overloaded",
          `No database connection became available within ${ms} ms (every pooled one busy, or the server slow to accept a new one); retry shortly.`,
        ),
      );
    }, ms);
  });
  return Promise.race([reserving, timeout]).finally(() => clearTimeout(timer));
}

/** A postgres.js pool, drizzle on it, and pipelined tenant units on its connections. */
export function createPostgresDatabase(target: PostgresTarget): PostgresHandle {
  // Switched off for good when the server loses a statement between transactions (26000):
  // a transaction pooler without support is in between. That unit fails (503), the rest work.
  let prepare = target.prepare ?? true;
  const preparedStatementsLost = () => {
    if (!prepare) return;
    prepare = false;
    console.error(
      "[db] A prepared statement vanished between transactions: a transaction pooler without prepared-statement support is in between (PgBouncer < 1.21, or max_prepared_statements = 0). Prepared statements are now off for this pool; set DB_PREPARED_STATEMENTS=false to start that way.",
    );
  };
  const max = target.max ?? 10;
  const pool = postgres(target.url, {
    max,
    idle_timeout: target.idleTimeoutSeconds ?? 20,
    connect_timeout: target.connectTimeoutSeconds ?? 10,
    max_lifetime: target.maxLifetimeSeconds ?? 30 * 60,
    // Reconnect soon after the server comes back (postgres.js's default waits up to 20 s).
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
    prepare,
    onnotice: () => {},
    connection: { ...target.settings, ...(target.role ? { role: target.role } : {}) },
  });
  const acquireTimeoutMs = target.acquireTimeoutMs ?? 5_000;
  const db = drizzle(
    autocommitClient(
      pool,
      () => reserveWithin(pool, acquireTimeoutMs),
      () => prepare,
      preparedStatementsLost,
    ),
    { schema },
  ) as unknown as Database;

  // What drizzle's own transaction() builds on a connection, built once for every unit.
  const dialect = new PgDialect();
  const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const relational = {
    fullSchema: schema,
    schema: tables.tables,
    tableNamesMap: tables.tableNamesMap,
  };
  // The unit's client implements what drizzle's session calls (unsafe, savepoint) on a
  // reserved connection; drizzle types it as postgres.js's TransactionSql.
  const makeTransaction = (client: object) => {
    const session = new PostgresJsSession(client as postgres.Sql, dialect, relational);
    return new PostgresJsTransaction(
      dialect,
      session as unknown as ConstructorParameters<typeof PostgresJsTransaction>[1],
      relational,
    ) as unknown as Transaction;
  };

  const server: ServerTraits = { citus: undefined };
  const tenants = new KeyedLimiter(target.tenantConcurrency ?? Math.max(1, Math.ceil(max / 4)));
  const units: UnitRunner = {
    async run(setup, fn, options) {
      const { tenant } = options;
      const deadline = Date.now() + acquireTimeoutMs;
      const release = await tenants.acquire(
        tenant,
        acquireTimeoutMs,
        () =>
          new DatabaseUnavailableError(
            "overloaded",
            `This organization already runs ${tenants.limit} database units at once and none finished within ${acquireTimeoutMs} ms; retry shortly.`,
          ),
      );
      try {
        const connection = await reserveWithin(pool, Math.max(1, deadline - Date.now()));
        try {
          return await runPipelined(
            connection,
            server,
            prepare,
            makeTransaction,
            setup,
            fn,
            options,
          );
        } catch (error) {
          if (errorCode(error) === "26000") preparedStatementsLost();
          throw error;
        } finally {
          connection.release();
        }
      } finally {
        release();
      }
    },
  };
  return { db, units, close: () => pool.end({ timeout: 5 }) };
}
