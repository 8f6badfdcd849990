/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits (0, or 1 when `stop` fails). A second
 * signal while stopping exits at once.
 */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`\n${signal} again: exiting without waiting.`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: shutting down...`);
    stop().then(
      () => {
        console.log("Stopped cleanly.");
        process.exit(0);
      },
      (error: unknown) => {
        console.error("Shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
}
