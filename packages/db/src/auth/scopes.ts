// What a personal access token may do, stored in personal_access_token.scopes. Each MCP tool
// (and resource) names the one scope it needs; a token without it is refused by name.
export const SCOPES = [
  "research:read",
  "research:write",
  "search:read",
  "documents:read",
  "documents:write",
  "usage:read",
] as const;

export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope =>
  (SCOPES as readonly string[]).includes(value);

/** The scopes `granted` lacks of `needed` (empty: allowed). */
export const missingScopes = (granted: readonly string[], needed: readonly Scope[]) =>
  needed.filter((scope) => !granted.includes(scope));
