// bench:migrate — our runner (`pnpm db:migrate`'s CLI) versus `drizzle-kit migrate` on the
// same migrations and server: a fresh database and a no-op run, each side as a real process,
// interleaved round by round. Ends with `bench <name>=<value>` lines.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { env, loadEnvFile } from "../src/connection/env";
import { packageRoot } from "../src/connection/paths";
import { median, time } from "./stats";

loadEnvFile();

const ROUNDS = 5;
const url = env().TEST_DATABASE_URL;
if (!url) {
  console.log(
    "bench:migrate skipped: needs a server (TEST_DATABASE_URL); drizzle-kit's PGlite driver loads no pgvector",
  );
  process.exit(0);
}

const run = promisify(execFile);
const bin = (name: string) => path.join(packageRoot, "node_modules/.bin", name);
const admin = postgres(url, { max: 1, onnotice: () => {} });

// Ours as deployed: the CLI bundled by `pnpm build` (drizzle-kit ships prebuilt too); the
// tsx-run dev CLI is measured beside it for the record.
await run("pnpm", ["run", "build"], { cwd: packageRoot });

const runners = {
  ours: (databaseUrl: string) =>
    run(process.execPath, ["dist/migrate.mjs"], {
      cwd: packageRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    }),
  oursDev: (databaseUrl: string) =>
    run(process.execPath, ["--import", "tsx", "src/bin/migrate.ts"], {
      cwd: packageRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    }),
  drizzleKit: (databaseUrl: string) =>
    run(bin("drizzle-kit"), ["migrate"], {
      cwd: packageRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    }),
};

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `repo_bench_migrate_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database "${name}"`);
  const target = new URL(url!);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: () => admin.unsafe(`drop database "${name}" with (force)`).then(() => {}),
  };
}

const samples: Record<keyof typeof runners, { fresh: number[]; noop: number[] }> = {
  ours: { fresh: [], noop: [] },
  oursDev: { fresh: [], noop: [] },
  drizzleKit: { fresh: [], noop: [] },
};
for (let round = 0; round < ROUNDS + 1; round++) {
  // Alternate which side goes first; round 0 warms both up and is not counted.
  const sides: (keyof typeof runners)[] = ["ours", "drizzleKit", "oursDev"];
  const order = round % 2 === 0 ? sides : [...sides].reverse();
  for (const side of order) {
    const db = await freshDatabase();
    const fresh = await time(() => runners[side](db.url));
    const noop = await time(() => runners[side](db.url));
    const [count] = await postgres(db.url, {
      max: 1,
    })`select count(*)::int as n from drizzle.__drizzle_migrations`.then(async (rows) => rows);
    if (!count?.n) throw new Error(`${side} applied nothing`);
    await db.drop();
    if (round > 0) {
      samples[side].fresh.push(fresh);
      samples[side].noop.push(noop);
    }
  }
}
await admin.end();

const figures = {
  migrate_fresh_ms_ours: median(samples.ours.fresh),
  migrate_fresh_ms_drizzle_kit: median(samples.drizzleKit.fresh),
  migrate_noop_ms_ours: median(samples.ours.noop),
  migrate_noop_ms_drizzle_kit: median(samples.drizzleKit.noop),
  migrate_fresh_ms_ours_tsx: median(samples.oursDev.fresh),
  migrate_noop_ms_ours_tsx: median(samples.oursDev.noop),
};
console.log(
  `fresh database: ours ${figures.migrate_fresh_ms_ours.toFixed(0)} ms, drizzle-kit migrate ${figures.migrate_fresh_ms_drizzle_kit.toFixed(0)} ms`,
);
console.log(
  `no-op run:      ours ${figures.migrate_noop_ms_ours.toFixed(0)} ms, drizzle-kit migrate ${figures.migrate_noop_ms_drizzle_kit.toFixed(0)} ms`,
);
console.log(
  `dev CLI under tsx (not compared: tsx's loader alone starts in ~0.4 s): fresh ${figures.migrate_fresh_ms_ours_tsx.toFixed(0)} ms, no-op ${figures.migrate_noop_ms_ours_tsx.toFixed(0)} ms`,
);
console.log(
  `(median of ${ROUNDS} interleaved rounds; whole processes, start-up included; ours = dist/migrate.mjs from pnpm build)`,
);
for (const [name, value] of Object.entries(figures))
  console.log(`bench ${name}=${value.toFixed(0)}`);
console.log(
  `bench migrate_fresh_ratio=${(figures.migrate_fresh_ms_ours / figures.migrate_fresh_ms_drizzle_kit).toFixed(2)}`,
);
console.log(
  `bench migrate_noop_ratio=${(figures.migrate_noop_ms_ours / figures.migrate_noop_ms_drizzle_kit).toFixed(2)}`,
);
