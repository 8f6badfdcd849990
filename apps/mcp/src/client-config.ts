/** A client configuration (Claude Desktop / Cursor `mcpServers` shape) per demo token. */
export interface ClientConfig {
  mcpServers: Record<string, { type: "http"; url: string; headers: { Authorization: string } }>;
}

/** The `mcpServers` snippet `pnpm dev` prints: one entry per organization's demo token. */
export function clientConfig(
  url: string,
  tokens: readonly { organization: string; token: string }[],
): ClientConfig {
  return {
    mcpServers: Object.fromEntries(
      tokens.map(({ organization, token }) => [
        `research-${organization.replace(/^org_/, "")}`,
        { type: "http", url, headers: { Authorization: `Bearer ${token}` } },
      ]),
    ),
  };
}
