export type { JournalMigration } from "./journal";
export { JournalError, readJournal } from "./journal";
export { MIGRATION_LOCK_KEY } from "./lock";
export {
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
  type MigrationErrorCode,
  migrate,
} from "./migrate";
export type {
  AppliedMigration,
  EditedMigration,
  MigrationState,
  MigrationStatus,
  MigrationStatusLine,
} from "./state";
export {
  compareMigrations,
  formatMigrationState,
  readAppliedMigrations,
  statusLines,
} from "./state";
