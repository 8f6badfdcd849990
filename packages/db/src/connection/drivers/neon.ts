import { neonConfig, Pool, type PoolClient } from "@neondatabase/serverless";
import { createTableRelationsHelpers, extractTablesRelationalConfig } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-serverless";
import { NeonSession, NeonTransaction } from "drizzle-orm/neon-serverless/session";
import { PgDialect } from "drizzle-orm/pg-core";
import ws from "ws";
import * as schema from "../../schema";
import { DatabaseUnavailableError } from "../errors";
import type { Database, Transaction } from "./types";
import { finalStatementOf, isSetStatement, type UnitRunner } from "./unit";

/** Neon's serverless driver: node-postgres's protocol over a WebSocket. */
export interface NeonTarget {
  driver: "neon-serverless";
  url: string;
  max?: number;
  idleTimeoutSeconds?: number;
  connectTimeoutSeconds?: number;
  /**
   * A WebSocket-to-TCP proxy in front of a plain Postgres (host:port, unencrypted), e.g.
   * websockify; unset: Neon's own endpoint (wss:// to the URL's host).
   */
  wsProxy?: string;
  /** Run as this role (a startup option): development on direct connections only. */
  role?: string;
  /** Session settings sent as startup options. */
  settings?: Readonly<Record<string, string>>;
}

function startupOptions(target: NeonTarget): string | undefined {
  const settings = { ...(target.role ? { role: target.role } : {}), ...target.settings };
  const options = Object.entries(settings).map(([key, value]) => `-c ${key}=${value}`);
  return options.length > 0 ? options.join(" ") : undefined;
}

/**
 * A Neon Pool with drizzle's neon-serverless adapter. Tenant units are sequential: node-postgres
 * (which the driver is) waits for each answer before it sends the next query, so the
 * postgres.js unit's pipelining cannot be had. Each unit is BEGIN and the setup in one
 * simple-protocol message (one round trip), one per statement, and COMMIT: n + 2 round trips
 * for n statements.
 */
export function createNeonDatabase(target: NeonTarget): {
  db: Database;
  units: UnitRunner;
  close(): Promise<void>;
} {
  // Node 20 has no global WebSocket. The settings are the module's, shared by every pool.
  neonConfig.webSocketConstructor = ws;
  if (target.wsProxy) {
    const proxy = target.wsProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
  const options = startupOptions(target);
  const pool = new Pool({
    connectionString: target.url,
    max: target.max ?? 10,
    idleTimeoutMillis: (target.idleTimeoutSeconds ?? 20) * 1000,
    connectionTimeoutMillis: (target.connectTimeoutSeconds ?? 10) * 1000,
    ...(options ? { options } : {}),
  });
  // An idle client's error (the server went away) must not crash the process.
  pool.on("error", () => {});
  const db = drizzle(pool, { schema }) as unknown as Database;

  const dialect = new PgDialect();
  const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const relational = {
    fullSchema: schema,
    schema: tables.tables,
    tableNamesMap: tables.tableNamesMap,
  };
  const makeTransaction = (client: PoolClient) =>
    new NeonTransaction(
      dialect,
      new NeonSession(client, dialect, relational),
      relational,
    ) as unknown as Transaction;

  const units: UnitRunner = {
    async run(setup, fn, { readOnly, onSetup }) {
      const client = await pool.connect();
      let broken = false;
      try {
        // No parameters: the simple protocol, which takes several statements at once.
        const begun: unknown = await client.query(
          `begin${readOnly ? " read only" : ""}; ${setup.join("; ")}`,
        );
        const results = (Array.isArray(begun) ? begun : [begun]) as { rows: unknown[] }[];
        onSetup?.(
          results
            .slice(1)
            .filter((_, i) => !isSetStatement(setup[i] ?? ""))
            .map((r) => r.rows as Record<string, unknown>[]),
        );
        let value: unknown = await fn(makeTransaction(client));
        const last = finalStatementOf(value);
        if (last) value = await last;
        const done = await client.query("commit");
        if (done.command !== "COMMIT") {
          throw new DatabaseUnavailableError(
            "rolled_back",
            `COMMIT was answered with ${done.command || "no command tag"}: a statement of the unit failed (its error was caught inside the unit), nothing was stored.`,
          );
        }
        return value;
      } catch (error) {
        await client.query("rollback").catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
  return { db, units, close: () => pool.end() };
}
