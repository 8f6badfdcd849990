-- Custom migration: bounds for every session that logs in as app_runtime (pooled or not),
-- so no request can hold a connection, a lock or a transaction for long. Values match
-- RUNTIME_TIMEOUTS in src/tenant-setup.ts (the catalog test compares them); a tenant unit can
-- override them for itself (withTenantContext options). Role settings apply at login: the
-- development fallback (the owner's login with role=app_runtime) does not get them.
ALTER ROLE app_runtime SET statement_timeout = '10s';--> statement-breakpoint
ALTER ROLE app_runtime SET lock_timeout = '3s';--> statement-breakpoint
ALTER ROLE app_runtime SET idle_in_transaction_session_timeout = '30s';
