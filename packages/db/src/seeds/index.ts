import type { Database } from "../connection/client";
import { type DemoToken, seedDev } from "./dev";
import type { SeedLog } from "./insert";
import { type LoadOptions, seedLoad } from "./load";
import { seedReference } from "./reference";

export type SeedTier = "reference" | "dev" | "load";

export interface SeedOptions {
  db: Database;
  /** reference: global data for every environment; dev: reference + demo organizations; load: reference + bulk rows. */
  tier: SeedTier;
  load?: LoadOptions;
  log?: SeedLog;
}

export interface SeedResult {
  /** Rows each table should hold from this tier (a rerun keeps them, adds none). */
  readonly counts: Record<string, number>;
  /** Dev tier: ready-to-use personal access tokens (stored only as sha256 hashes). */
  readonly tokens: readonly DemoToken[];
}

/** Seeds a tier as the owner. Idempotent and deterministic: a second run changes no row. */
export async function seed(options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? (() => {});
  const counts = { ...(await seedReference(options.db)) };
  log(
    `reference tier: ${Object.entries(counts)
      .map(([t, n]) => `${t} ${n}`)
      .join(", ")}`,
  );
  if (options.tier === "dev") {
    const dev = await seedDev(options.db, log);
    return { counts: { ...counts, ...dev.counts }, tokens: dev.tokens };
  }
  if (options.tier === "load") {
    const load = await seedLoad(options.db, options.load ?? { orgs: 10, rows: 1000 }, log);
    return { counts: { ...counts, ...load }, tokens: [] };
  }
  return { counts, tokens: [] };
}
