import {
  createIngestGate,
  type Database,
  type DocumentPreparer,
  type Embedder,
  getDb,
  HashingEmbedder,
  inlinePreparer,
} from "@repo/db";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { authenticate } from "./auth";
import type { AppEnv } from "./context";
import { ApiError, notFound, respondWithError } from "./errors";
import { createLogger, type Logger } from "./log";
import { aiRoutes } from "./routes/ai";
import { documentRoutes } from "./routes/documents";
import { healthRoutes } from "./routes/health";
import { researchRoutes } from "./routes/research";
import { searchRoutes } from "./routes/search";

/** Largest request body (a document to ingest is the big one). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  /** The app database (runtime role). Default: getDb(), opened on the first request. */
  db?: Database;
  /** Embeds search queries (and documents, unless `preparer` is given). Default: HashingEmbedder. */
  embedder?: Embedder;
  /** Chunks and embeds uploaded documents. Default: on the event loop with `embedder`. */
  preparer?: DocumentPreparer;
  /** Request and error log. Default: JSON lines on stdout at LOG_LEVEL. */
  logger?: Logger;
  /**
   * Whether data routes may run (a production entry verifies its database login first);
   * false answers them 503. Default: always.
   */
  ready?: () => boolean;
}

/** One line per request: id, method, route pattern, status, milliseconds. */
function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    c.set("log", logger.child({ req: c.var.requestId }));
    await next();
    c.var.log.info({
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

/**
 * The API as a Hono app: GET /health, and under /v1 (bearer token required) research plans,
 * documents, search and AI usage. Each /v1 request runs in one tenant transaction.
 */
export function createApp(options: AppOptions = {}) {
  const db = () => options.db ?? getDb();
  const embedder = options.embedder ?? new HashingEmbedder();

  const ready = options.ready ?? (() => true);

  const app = new Hono<AppEnv>();
  app.use(requestId(), requestLog(options.logger ?? createLogger()));
  app.onError(respondWithError);
  app.notFound((c) => c.json(notFound().body(), 404));

  app.route("/", healthRoutes(db));
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(
          new ApiError(
            413,
            "payload_too_large",
            `The body is larger than ${MAX_BODY_BYTES} bytes.`,
          ).body(),
          413,
          { Connection: "close" },
        ),
    }),
    async (c, next) => {
      if (ready()) return next();
      c.header("Retry-After", "1");
      return c.json(
        new ApiError(503, "unavailable", "Starting: the database login is being verified.").body(),
        503,
      );
    },
    authenticate(db),
  );
  app.route("/v1/research", researchRoutes);
  app.route(
    "/v1/documents",
    documentRoutes(options.preparer ?? inlinePreparer(embedder), createIngestGate()),
  );
  app.route("/v1/search", searchRoutes(embedder));
  app.route("/v1/ai", aiRoutes);
  return app;
}

export type App = ReturnType<typeof createApp>;
