import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import type { PGlite, Transaction as PgliteTransaction } from "@electric-sql/pglite";
import * as schema from "../../schema";
import { lockEmbedded } from "./pglite-lock";
import { transactionUnits } from "./transaction-units";
import type { Database } from "./types";
import type { UnitRunner } from "./unit";

// PGlite (WASM) and drizzle's PGlite driver (which imports it) are loaded on first use, so
// processes that talk to a server (CLIs, apps) do not pay ~500 ms of start-up for them; their
// CommonJS builds keep openPglite and createDatabase synchronous (and share one PGlite class).
const load = createRequire(import.meta.url);

/** Opens PGlite with the extensions our migrations need (drizzle-kit's own PGlite has none). */
export function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): PGlite {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const { PGlite } = load("@electric-sql/pglite") as typeof import("@electric-sql/pglite");
  const { vector } = load(
    "@electric-sql/pglite-pgvector",
  ) as typeof import("@electric-sql/pglite-pgvector");
  // A persisted database belongs to one process: refuse a second one before PGlite opens it.
  const release = options.dataDir ? lockEmbedded(options.dataDir) : undefined;
  const pglite = new PGlite({ ...options, extensions: { vector } });
  if (release) {
    const close = pglite.close.bind(pglite);
    pglite.close = async () => {
      try {
        await close();
      } finally {
        release();
      }
    };
  }
  return pglite;
}

// One PGlite per data dir per process (two would corrupt it), shared by the owner and the app
// handles and closed with the last of them.
const embedded = new Map<string, { pglite: PGlite; users: number }>();

function acquireEmbedded(dataDir: string): { pglite: PGlite; release(): Promise<void> } {
  let entry = embedded.get(dataDir);
  if (!entry) {
    entry = { pglite: openPglite({ dataDir }), users: 0 };
    embedded.set(dataDir, entry);
  }
  entry.users++;
  const current = entry;
  let released = false;
  return {
    pglite: current.pglite,
    release: async () => {
      if (released) return;
      released = true;
      if (--current.users === 0) {
        embedded.delete(dataDir);
        await current.pglite.close();
      }
    },
  };
}

/** The subset of PGlite that drizzle's PGlite session calls. */
type PgliteClient = Pick<PGlite, "query" | "transaction">;

/** PGlite seen through a role: each statement and transaction runs under SET LOCAL ROLE. */
function pgliteAsRole(pglite: PGlite, role: string): PgliteClient {
  const assume = (tx: PgliteTransaction) =>
    tx.query(`set local role "${role.replaceAll('"', '""')}"`);
  return {
    query: ((query: string, params?: unknown[], options?: object) =>
      pglite.transaction(async (tx) => {
        await assume(tx);
        return tx.query(query, params, options);
      })) as PGlite["query"],
    transaction: ((callback: (tx: PgliteTransaction) => Promise<unknown>) =>
      pglite.transaction(async (tx) => {
        await assume(tx);
        return callback(tx);
      })) as PGlite["transaction"],
  };
}

export type PgliteTarget =
  | /** Embedded Postgres (PGlite with pgvector) persisted in a directory. */ {
      dataDir: string;
      role?: string;
    }
  | /** An embedded Postgres opened by the caller, who also closes it. */ {
      pglite: PGlite;
      role?: string;
    };

export function createPgliteDatabase(target: PgliteTarget): {
  db: Database;
  units: UnitRunner;
  close(): Promise<void>;
} {
  const shared =
    "pglite" in target
      ? { pglite: target.pglite, release: async () => {} }
      : acquireEmbedded(target.dataDir);
  const client = target.role ? pgliteAsRole(shared.pglite, target.role) : shared.pglite;
  const db = (load("drizzle-orm/pglite") as typeof import("drizzle-orm/pglite")).drizzle({
    client: client as PGlite,
    schema,
  }) as unknown as Database;
  return { db, units: transactionUnits(db), close: shared.release };
}
