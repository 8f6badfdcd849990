export type { JournalMigration } from "./journal";
export { readJournal } from "./journal";
export {
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
  type MigrationErrorCode,
  migrate,
} from "./migrate";
export type { AppliedMigration, MigrationState } from "./state";
export { compareMigrations, formatMigrationState, readAppliedMigrations } from "./state";
