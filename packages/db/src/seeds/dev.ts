import { createHash } from "node:crypto";
import { getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { z } from "zod";
import { SCOPES } from "../auth/scopes";
import { hashToken } from "../auth/tokens";
import type { Database } from "../connection/client";
import { HashingEmbedder } from "../domains/search/embedder";
import { aiBatchJob, aiUsage } from "../schema/ai";
import { invitation, member, user } from "../schema/auth";
import { organization } from "../schema/base";
import { personalAccessToken } from "../schema/mcp";
import {
  researchArtifact,
  researchExtraction,
  researchFeedback,
  researchOutput,
  researchPlan,
  researchStep,
} from "../schema/research";
import { document, documentChunk } from "../schema/search";
import {
  insertAiBatchJobSchema,
  insertAiUsageSchema,
  insertDocumentChunkSchema,
  insertDocumentSchema,
  insertInvitationSchema,
  insertMemberSchema,
  insertOrganizationSchema,
  insertPersonalAccessTokenSchema,
  insertResearchArtifactSchema,
  insertResearchExtractionSchema,
  insertResearchFeedbackSchema,
  insertResearchOutputSchema,
  insertResearchPlanSchema,
  insertResearchStepSchema,
  insertUserSchema,
} from "../zod";
import { insertRows, type SeedLog } from "./insert";
import { modelId } from "./reference";

// The dev tier: three organizations with people, research in every status, documents with
// searchable chunks, AI usage and demo tokens. Everything is a pure function of this file: fixed
// ids, fixed timestamps, deterministic embeddings, so two databases seeded get identical rows.

const BASE = Date.parse("2026-01-05T09:00:00Z");
const at = (minutes: number) => new Date(BASE + minutes * 60_000);
const stamp = (minutes: number) => ({ createdAt: at(minutes), updatedAt: at(minutes) });

interface Org {
  key: string;
  name: string;
  theme: string[];
}

const ORGS: Org[] = [
  {
    key: "acme",
    name: "Acme Research",
    theme: ["battery chemistry", "solid state electrolytes", "lithium supply chains"],
  },
  {
    key: "globex",
    name: "Globex Labs",
    theme: ["protein folding", "drug discovery pipelines", "clinical trial design"],
  },
  {
    key: "initech",
    name: "Initech Insights",
    theme: ["retail demand forecasting", "pricing experiments", "customer churn models"],
  },
];
const PLAN_STATUSES = ["draft", "queued", "running", "completed", "failed", "canceled"] as const;
const STEP_STATUSES = ["completed", "running", "pending"] as const;

const orgId = (org: Org) => `org_${org.key}`;
const userId = (org: Org, n: number) => `user_${org.key}_${n}`;
const sentence = (org: Org, n: number) => {
  const topic = org.theme[n % org.theme.length]!;
  return `Notes on ${topic}: findings ${n} compare ${topic} across recent studies, with sources and open questions about ${org.theme[(n + 1) % org.theme.length]}.`;
};

/** A demo personal access token: derived from the user id, so the same every run. */
function demoToken(forUser: string): string {
  return `rpat_${createHash("sha256").update(`repo dev seed token ${forUser}`).digest("hex").slice(0, 40)}`;
}

const VALIDATORS = new Map<PgTable, z.ZodType>([
  [organization, insertOrganizationSchema],
  [user, insertUserSchema],
  [member, insertMemberSchema],
  [invitation, insertInvitationSchema],
  [personalAccessToken, insertPersonalAccessTokenSchema],
  [researchPlan, insertResearchPlanSchema],
  [researchStep, insertResearchStepSchema],
  [researchArtifact, insertResearchArtifactSchema],
  [researchOutput, insertResearchOutputSchema],
  [researchFeedback, insertResearchFeedbackSchema],
  [researchExtraction, insertResearchExtractionSchema],
  [document, insertDocumentSchema],
  [documentChunk, insertDocumentChunkSchema],
  [aiBatchJob, insertAiBatchJobSchema],
  [aiUsage, insertAiUsageSchema],
]);

export interface DemoToken {
  organization: string;
  user: string;
  token: string;
}

export async function seedDev(
  db: Database,
  log: SeedLog,
): Promise<{ counts: Record<string, number>; tokens: DemoToken[] }> {
  const embedder = new HashingEmbedder();
  const rows = new Map<PgTable, Record<string, unknown>[]>();
  const add = (table: PgTable, row: Record<string, unknown>) => {
    const list = rows.get(table) ?? [];
    list.push(row);
    rows.set(table, list);
  };
  const tokens: DemoToken[] = [];

  for (const [o, org] of ORGS.entries()) {
    const t = o * 1000;
    add(organization, { id: orgId(org), name: org.name, slug: org.key, ...stamp(t) });
    for (const n of [1, 2]) {
      add(user, {
        id: userId(org, n),
        name: `${org.name.split(" ")[0]} ${n === 1 ? "Owner" : "Analyst"}`,
        email: `${n === 1 ? "owner" : "analyst"}@${org.key}.example`,
        emailVerified: true,
        ...stamp(t + n),
      });
      add(member, {
        id: `member_${org.key}_${n}`,
        organizationId: orgId(org),
        userId: userId(org, n),
        role: n === 1 ? "owner" : "member",
        ...stamp(t + n),
      });
    }
    for (const n of [1, 2]) {
      add(invitation, {
        id: `invitation_${org.key}_${n}`,
        organizationId: orgId(org),
        email: `guest${n}@${org.key}.example`,
        role: "member",
        status: n === 1 ? "pending" : "accepted",
        expiresAt: at(t + 60 * 24 * 30),
        inviterId: userId(org, 1),
        ...stamp(t + 10 + n),
      });
    }
    const token = demoToken(userId(org, 1));
    tokens.push({ organization: orgId(org), user: userId(org, 1), token });
    add(personalAccessToken, {
      id: `pat_${org.key}_demo`,
      userId: userId(org, 1),
      name: "Demo token (dev seed)",
      tokenHash: hashToken(token),
      displayPrefix: token.slice(0, 9),
      scopes: [...SCOPES],
      ...stamp(t + 20),
    });

    for (const [p, status] of PLAN_STATUSES.entries()) {
      const plan = `plan_${org.key}_${p + 1}`;
      const minute = t + 100 + p * 10;
      add(researchPlan, {
        id: plan,
        organizationId: orgId(org),
        createdById: userId(org, (p % 2) + 1),
        title: `${org.theme[p % 3]} review ${p + 1}`,
        objective: `Summarise what is known about ${org.theme[p % 3]} and what to test next.`,
        status,
        completedAt: status === "completed" ? at(minute + 5) : null,
        metadata: { priority: p % 3 },
        ...stamp(minute),
      });
      for (const [s, stepStatus] of STEP_STATUSES.entries()) {
        add(researchStep, {
          id: `step_${org.key}_${p + 1}_${s + 1}`,
          organizationId: orgId(org),
          planId: plan,
          position: s + 1,
          title: ["Collect sources", "Extract findings", "Write summary"][s],
          status: stepStatus,
          ...stamp(minute + s + 1),
        });
      }
      add(researchArtifact, {
        id: `artifact_${org.key}_${p + 1}`,
        organizationId: orgId(org),
        planId: plan,
        stepId: `step_${org.key}_${p + 1}_1`,
        kind: p % 2 ? "pdf" : "web_page",
        title: `Source on ${org.theme[p % 3]}`,
        uri: `https://example.org/${org.key}/${p + 1}`,
        content: sentence(org, p),
        ...stamp(minute + 4),
      });
      add(researchOutput, {
        id: `output_${org.key}_${p + 1}`,
        organizationId: orgId(org),
        planId: plan,
        version: 1,
        format: "markdown",
        title: `Summary ${p + 1}`,
        content: `# ${org.theme[p % 3]}\n\n${sentence(org, p + 1)}`,
        ...stamp(minute + 5),
      });
      add(researchFeedback, {
        id: `feedback_${org.key}_${p + 1}`,
        organizationId: orgId(org),
        planId: plan,
        outputId: `output_${org.key}_${p + 1}`,
        userId: userId(org, 2),
        rating: (p % 5) + 1,
        comment: p % 2 ? "Needs more sources." : "Clear and useful.",
        ...stamp(minute + 6),
      });
      add(researchExtraction, {
        id: `extraction_${org.key}_${p + 1}`,
        organizationId: orgId(org),
        planId: plan,
        artifactId: `artifact_${org.key}_${p + 1}`,
        field: "key_finding",
        value: { text: sentence(org, p + 2) },
        confidence: 0.5 + (p % 5) / 10,
        ...stamp(minute + 7),
      });
    }

    for (const d of [1, 2, 3]) {
      const doc = `document_${org.key}_${d}`;
      const paragraphs = [0, 1, 2, 3].map((c) => sentence(org, d * 4 + c));
      add(document, {
        id: doc,
        organizationId: orgId(org),
        createdById: userId(org, 1),
        title: `${org.theme[d - 1]} brief`,
        content: paragraphs.join("\n\n"),
        status: "indexed",
        ...stamp(t + 200 + d),
      });
      const embeddings = await embedder.embed(paragraphs);
      for (const [c, content] of paragraphs.entries()) {
        add(documentChunk, {
          id: `chunk_${org.key}_${d}_${c + 1}`,
          organizationId: orgId(org),
          documentId: doc,
          position: c + 1,
          content,
          tokenCount: content.split(/\s+/).length,
          embedding: embeddings[c],
          ...stamp(t + 200 + d),
        });
      }
    }

    for (const b of [1, 2]) {
      add(aiBatchJob, {
        id: `batch_${org.key}_${b}`,
        organizationId: orgId(org),
        modelId: modelId("openai", "gpt-4o-mini"),
        createdById: userId(org, 1),
        status: b === 1 ? "completed" : "running",
        requestCount: 20 * b,
        completedCount: b === 1 ? 20 : 7,
        failedCount: 0,
        ...stamp(t + 300 + b),
      });
    }
    const models = [
      modelId("openai", "gpt-4o"),
      modelId("anthropic", "claude-sonnet-4"),
      modelId("google", "gemini-2.5-flash"),
    ];
    for (let u = 1; u <= 9; u++) {
      add(aiUsage, {
        id: `usage_${org.key}_${u}`,
        organizationId: orgId(org),
        modelId: models[u % 3],
        userId: userId(org, (u % 2) + 1),
        batchJobId: u <= 3 ? `batch_${org.key}_1` : null,
        inputTokens: 1000 * u,
        outputTokens: 150 * u,
        costUsd: (0.0025 * u + 0.0001 * o).toFixed(6),
        requestId: `req_${org.key}_${u}`,
        ...stamp(t + 400 + u),
      });
    }
  }

  // Tables added by `pnpm db:new-table`: rows derived from their parents' rows (added above).
  // db:new-table: dev rows above this line

  // Every row passes its @repo/db/zod insert schema before anything is written: a bad row is
  // one line naming the table, the row, the fields and this file; the database is untouched.
  for (const [table, list] of rows) {
    const schema = VALIDATORS.get(table);
    if (!schema)
      throw new Error(
        `No insert schema for ${getTableName(table)}: add it to VALIDATORS in seeds/dev.ts`,
      );
    for (const row of list) {
      const parsed = schema.safeParse(row);
      if (!parsed.success)
        throw new Error(
          `A dev row of ${getTableName(table)} (${String(row.id)}) fails its insert schema: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}. Fix it in src/seeds/dev.ts (or the schema in src/zod/)`,
        );
    }
  }

  log("dev tier:");
  const counts: Record<string, number> = {};
  for (const [table, list] of rows) {
    await insertRows(db, table, list, log);
    counts[getTableName(table)] = list.length;
  }
  return { counts, tokens };
}
