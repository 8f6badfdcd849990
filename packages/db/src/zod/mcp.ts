import { createInsertSchema, createSelectSchema, createUpdateSchema } from "drizzle-zod";
import { z } from "zod";
import { personalAccessToken } from "../schema";
import { insertOptionality, nonBlank, sha256Hex } from "./refinements";

const personalAccessTokenRefine = {
  name: nonBlank,
  tokenHash: sha256Hex,
  scopes: () => z.array(nonBlank(z.string())),
};
export const insertPersonalAccessTokenSchema = insertOptionality(
  personalAccessToken,
  createInsertSchema(personalAccessToken, personalAccessTokenRefine),
);
export const selectPersonalAccessTokenSchema = createSelectSchema(
  personalAccessToken,
  personalAccessTokenRefine,
);
export const updatePersonalAccessTokenSchema = createUpdateSchema(
  personalAccessToken,
  personalAccessTokenRefine,
);
export type InsertPersonalAccessToken = z.infer<typeof insertPersonalAccessTokenSchema>;
export type UpdatePersonalAccessToken = z.infer<typeof updatePersonalAccessTokenSchema>;
