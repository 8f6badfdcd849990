export { type DistributionResult, distributeIn, PROPAGATE_SET_COMMANDS } from "./distribute";
export type { JournalMigration } from "./journal";
export { JournalError, readJournal } from "./journal";
export { type LockHolder, MIGRATION_LOCK_KEY_SQL, migrationLockHolders } from "./lock";
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
