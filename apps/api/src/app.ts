import { type Database, type Embedder, getDb, HashingEmbedder } from "@repo/db";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authenticate } from "./auth";
import type { AppEnv } from "./context";
import { ApiError, notFound, respondWithError } from "./errors";
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
  /** Embeds document chunks and search queries. Default: the deterministic HashingEmbedder. */
  embedder?: Embedder;
}

/**
 * The API as a Hono app: GET /health, and under /v1 (bearer token required) research plans,
 * documents, search and AI usage. Each /v1 request runs in one tenant transaction.
 */
export function createApp(options: AppOptions = {}) {
  const db = () => options.db ?? getDb();
  const embedder = options.embedder ?? new HashingEmbedder();

  const app = new Hono<AppEnv>();
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
    authenticate(db),
  );
  app.route("/v1/research", researchRoutes);
  app.route("/v1/documents", documentRoutes(embedder));
  app.route("/v1/search", searchRoutes(embedder));
  app.route("/v1/ai", aiRoutes);
  return app;
}

export type App = ReturnType<typeof createApp>;
