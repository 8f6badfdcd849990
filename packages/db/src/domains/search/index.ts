export * from "./embedder";
export * from "./hybrid";
