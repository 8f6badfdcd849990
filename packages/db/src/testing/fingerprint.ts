import { createHash } from "node:crypto";
import { migrationsFolder } from "../connection/paths";
import { readJournal } from "../migrator";

/**
 * Identifies the migrations a template or snapshot was built from: any edit to a migration
 * gives a new name, so a stale template is never reused.
 */
export function migrationsFingerprint(folder = migrationsFolder): string {
  const hash = createHash("sha256");
  for (const migration of readJournal(folder)) hash.update(`${migration.tag}:${migration.hash}\n`);
  return hash.digest("hex").slice(0, 12);
}
