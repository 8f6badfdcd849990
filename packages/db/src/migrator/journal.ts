import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { z } from "zod";

const journalSchema = z.object({
  entries: z.array(
    z.object({
      idx: z.number().int(),
      when: z.number().int(),
      tag: z.string().min(1),
      breakpoints: z.boolean(),
    }),
  ),
});

/** One migration as the code has it: a journal entry and its SQL file. */
export interface JournalMigration {
  /** e.g. "0002_initial_schema" (the file is `<tag>.sql`). */
  readonly tag: string;
  /** `<tag>.sql`, as messages name it. */
  readonly file: string;
  /** The statements, split on drizzle-kit's `--> statement-breakpoint`. */
  readonly statements: readonly string[];
  /** The journal's `when`: drizzle stores it as created_at of the applied row. */
  readonly when: number;
  /** sha256 hex of the file, from drizzle's own readMigrationFiles (what its migrator stores). */
  readonly hash: string;
}

/** The journal or a file it lists cannot be read; the message says how to fix it. */
export class JournalError extends Error {
  override readonly name = "JournalError";
}

/** Reads meta/_journal.json and hashes each file; throws naming what is missing or malformed. */
export function readJournal(migrationsFolder: string): JournalMigration[] {
  const journalPath = path.join(migrationsFolder, "meta/_journal.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(journalPath, "utf8"));
  } catch (error) {
    throw new JournalError(
      `Cannot read ${journalPath} (${(error as Error).message}). Run \`pnpm db:generate\` to create it; never edit it by hand.`,
    );
  }
  const journal = journalSchema.safeParse(raw);
  if (!journal.success) {
    throw new JournalError(`${journalPath} is not a drizzle-kit journal: ${journal.error.message}`);
  }
  for (const entry of journal.data.entries) {
    const file = path.join(migrationsFolder, `${entry.tag}.sql`);
    if (!existsSync(file)) {
      throw new JournalError(
        `The journal lists ${entry.tag} but ${file} is missing. Restore the file from git, or remove the entry with \`pnpm exec drizzle-kit drop\`.`,
      );
    }
  }
  // drizzle's reader, so the hash and the statements are exactly what drizzle records and runs.
  const files = readMigrationFiles({ migrationsFolder });
  return journal.data.entries.map((entry, index) => {
    const migration = files[index]!;
    return {
      tag: entry.tag,
      file: `${entry.tag}.sql`,
      when: migration.folderMillis,
      hash: migration.hash,
      statements: migration.sql
        .map((statement) => statement.trim())
        .filter((statement) => statement.length > 0),
    };
  });
}
