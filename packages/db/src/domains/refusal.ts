import {
  classifyDatabaseError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  errorCode,
} from "../connection/errors";
import { TenantBusyError } from "../tenancy/heavy-work";
import { PreparationBusyError } from "./documents/prepare";
import { DomainError } from "./errors";
import { SearchInputError } from "./search/hybrid";

/** What went wrong with a unit, as an app passes it on (HTTP status, MCP tool error, ...). */
export type RefusalCode =
  | "not_found"
  | "conflict"
  | "invalid_request"
  | "unavailable"
  | "timeout"
  | "internal";

export interface Refusal {
  readonly code: RefusalCode;
  /** One line for the caller: what happened and what to do. Never SQL or parameters. */
  readonly message: string;
  /** The classified infrastructure failure (unavailable, timeout), for the app's log. */
  readonly cause?: unknown;
}

/**
 * How both apps word an error a unit (or the work around it) threw: a DomainError as it says;
 * a lost database as "unavailable" and a statement past its timeout as "timeout", never
 * internal; the few SQL errors a caller's input causes as invalid_request or conflict;
 * anything else "internal" (the app logs it).
 */
export function refusalOf(error: unknown): Refusal {
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  if (error instanceof SearchInputError) return { code: "invalid_request", message: error.message };
  if (error instanceof PreparationBusyError || error instanceof TenantBusyError) {
    return { code: "unavailable", message: error.message };
  }
  const failure = classifyDatabaseError(error);
  if (failure instanceof DatabaseUnavailableError) {
    return {
      code: "unavailable",
      message: "The database is unavailable; retry shortly.",
      cause: failure,
    };
  }
  if (failure instanceof DatabaseTimeoutError) {
    return {
      code: "timeout",
      message: "The request took too long in the database.",
      cause: failure,
    };
  }
  const code = errorCode(error);
  // character_not_in_repertoire / untranslatable_character: a NUL in a text value.
  if (code === "22021" || code === "22P05") {
    return { code: "invalid_request", message: "Text must not contain NUL characters." };
  }
  if (code === "23505") {
    return { code: "conflict", message: "A row with these values already exists." };
  }
  return { code: "internal", message: "Internal error." };
}
