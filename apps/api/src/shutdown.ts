import { describeError } from "./log";

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

/**
 * What happens to errors nobody awaited. A rejected promise is logged and the process goes
 * on: it corrupts no state. An uncaught exception may have left anything half-done: logged,
 * then the server stops taking requests, finishes what it can and exits 1 for the supervisor
 * to restart it.
 */
export function onFatal(
  log: { error(details: object, message: string): void },
  stop: () => Promise<void>,
): void {
  process.on("unhandledRejection", (reason) => {
    log.error(describeError(reason), "unhandled promise rejection (ignored)");
  });
  process.on("uncaughtException", (error) => {
    log.error(describeError(error), "uncaught exception: stopping");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stop().finally(() => process.exit(1));
  });
}
