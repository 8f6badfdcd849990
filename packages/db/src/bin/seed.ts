// `pnpm db:seed [--tier reference|dev|load] [--orgs N --rows M]`: seeds DATABASE_URL or the
// embedded database, as the owner. Idempotent: run it as often as you like.
import { createDatabase } from "../connection/client";
import { describeTarget, ownerTarget } from "../connection/connections";
import { type SeedTier, seed } from "../seeds";
import { parseCli, reportFailure } from "./cli";

const usage = `usage: pnpm db:seed [--tier reference|dev|load] [--orgs N --rows M]
  Seeds DATABASE_URL (or the embedded database) as the owner; idempotent.
  --tier  reference: global rows; dev (default): demo organizations; load: --orgs x --rows`;
const { values } = parseCli(usage, {
  tier: { type: "string", default: "dev" },
  orgs: { type: "string", default: "10" },
  rows: { type: "string", default: "1000" },
});
const tiers: SeedTier[] = ["reference", "dev", "load"];
const tier = values.tier as SeedTier;
const orgs = Number(values.orgs);
const rows = Number(values.rows);
if (
  !tiers.includes(tier) ||
  !Number.isInteger(orgs) ||
  orgs < 1 ||
  !Number.isInteger(rows) ||
  rows < 1
) {
  console.error(
    `usage: pnpm db:seed [--tier ${tiers.join("|")}] [--orgs N --rows M] (got --tier ${values.tier} --orgs ${values.orgs} --rows ${values.rows})`,
  );
  process.exit(2);
}

let handle: ReturnType<typeof createDatabase> | undefined;
const started = performance.now();
try {
  const target = ownerTarget();
  handle = createDatabase(target);
  console.log(`Database: ${describeTarget(target)}`);
  const result = await seed({
    db: handle.db,
    tier,
    load: { orgs, rows },
    log: (line) => console.log(line),
  });
  const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
  console.log(
    `Seeded tier ${tier}: ${total} rows in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
  if (result.tokens.length) {
    console.log("\nDemo personal access tokens (dev only; stored as sha256 hashes):");
    for (const { organization, user, token } of result.tokens)
      console.log(`  ${organization.padEnd(12)} ${user.padEnd(16)} ${token}`);
  }
} catch (error) {
  reportFailure(error);
} finally {
  await handle?.close();
}
