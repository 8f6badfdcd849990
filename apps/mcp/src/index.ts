// What other workspace code (the `pnpm dev` script) uses to run the MCP server in-process.
export { createMcpApp, type McpAppOptions } from "./app";
export { type ClientConfig, clientConfig } from "./client-config";
export { type RunningMcpServer, startMcpServer } from "./serve";
