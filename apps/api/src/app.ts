import {
  createDocumentIngestor,
  createHeavyWorkGate,
  type Database,
  type DocumentPreparer,
  type Embedder,
  getDb,
  HashingEmbedder,
  type HeavyWorkGate,
  inlinePreparer,
} from "@repo/db";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { authenticate } from "./auth";
import type { AppEnv } from "./context";
import { apiReference } from "./docs";
import { ApiError, notFound, respondWithError } from "./errors";
import { createLogger, type Logger } from "./log";
import { router } from "./openapi";
import { aiRoutes } from "./routes/ai";
import { documentRoutes } from "./routes/documents";
import { healthRoutes } from "./routes/health";
import { researchRoutes } from "./routes/research";
import { searchRoutes } from "./routes/search";
import { refuseLoneSurrogates } from "./unicode";

/** Largest request body (a document to ingest is the big one). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  /** The app database (runtime role). Default: getDb(), opened on the first request. */
  db?: Database;
  /** Embeds search queries (and documents, unless `preparer` is given). Default: HashingEmbedder. */
  embedder?: Embedder;
  /** Chunks and embeds uploaded documents. Default: on the event loop with `embedder`. */
  preparer?: DocumentPreparer;
  /**
   * Where searches and ingestions wait for their organization's turn. Default:
   * createHeavyWorkGate() (DB_TENANT_HEAVY_CONCURRENCY at a time per organization).
   */
  heavyWork?: HeavyWorkGate;
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
 * documents, search and AI usage, each request one tenant unit. Every route is a typed
 * contract: GET /openapi.json (OpenAPI 3.1) describes them, GET /docs renders it, and
 * `hc<App>` from hono/client calls them with their types.
 */
export function createApp(options: AppOptions = {}) {
  const db = () => options.db ?? getDb();
  const embedder = options.embedder ?? new HashingEmbedder();

  const ready = options.ready ?? (() => true);

  const app = router();
  app.use(requestId(), requestLog(options.logger ?? createLogger()));
  app.onError(respondWithError);
  app.notFound((c) => c.json(notFound().body(), 404));

  const limitBody = bodyLimit({
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
  });
  app.use(
    "/v1/*",
    // Reading the body's stream to check it would build a whole Request on every GET: a GET
    // or HEAD has none that anything reads.
    (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next)),
    async (c, next) => {
      if (ready()) return next();
      c.header("Retry-After", "1");
      return c.json(
        new ApiError(503, "unavailable", "Starting: the database login is being verified.").body(),
        503,
      );
    },
    authenticate(db, options.heavyWork ?? createHeavyWorkGate()),
    refuseLoneSurrogates,
  );
  const api = app
    .route("/", healthRoutes(db))
    .route("/v1/research", researchRoutes)
    .route(
      "/v1/documents",
      documentRoutes(createDocumentIngestor(options.preparer ?? inlinePreparer(embedder))),
    )
    .route("/v1/search", searchRoutes(embedder))
    .route("/v1/ai", aiRoutes);
  apiReference(app);
  return api;
}

export type App = ReturnType<typeof createApp>;
