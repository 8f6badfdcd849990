// `pnpm db:reset [--yes]`: starts the development database over. Embedded: deletes its data
// directory. DATABASE_URL on this machine: drops and recreates that database. Then migrates.
import { rm } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import postgres from "postgres";
import { createDatabase } from "../connection/client";
import { describeTarget, ownerTarget } from "../connection/connections";
import { env } from "../connection/env";
import { migrate } from "../migrator";
import { parseCli, reportFailure } from "./cli";

const { values } = parseCli(
  `usage: pnpm db:reset [--yes]
  Deletes the development database and migrates a fresh one: the embedded database's data
  directory, or the database named in DATABASE_URL when its host is this machine.
  --yes  do not ask for confirmation`,
  { yes: { type: "boolean", default: false } },
);

const localHosts = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

async function confirm(what: string): Promise<boolean> {
  if (values.yes) return true;
  if (!process.stdin.isTTY) {
    console.error(`db:reset would delete ${what}; rerun with --yes to confirm.`);
    return false;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await prompt.question(`Delete ${what}? [y/N] `);
  prompt.close();
  return /^y(es)?$/i.test(answer.trim());
}

try {
  const config = env();
  if (config.DATABASE_URL) {
    const url = new URL(config.DATABASE_URL);
    const name = decodeURIComponent(url.pathname.slice(1));
    if (!localHosts.has(url.hostname) || !name || name === "postgres")
      throw new Error(
        `db:reset only drops a named database on this machine (got ${url.hostname}/${name || "(none)"}); reset others by hand.`,
      );
    if (await confirm(`database "${name}" at ${url.host}`)) {
      url.pathname = "/postgres";
      const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        await admin`drop database if exists ${admin(name)} with (force)`;
        await admin`create database ${admin(name)}`;
      } finally {
        await admin.end();
      }
    } else process.exit(1);
  } else if (await confirm(`the embedded database in ${config.PGLITE_DATA_DIR}`)) {
    await rm(config.PGLITE_DATA_DIR, { recursive: true, force: true });
  } else process.exit(1);

  const target = ownerTarget(config);
  const handle = createDatabase("url" in target ? { ...target, max: 1 } : target);
  try {
    const result = await migrate({ db: handle.db });
    console.log(
      `Reset ${describeTarget(target)}: ${result.ran.length} migration(s) applied. Run \`pnpm db:seed\` for demo data.`,
    );
  } finally {
    await handle.close();
  }
} catch (error) {
  reportFailure(error);
}
