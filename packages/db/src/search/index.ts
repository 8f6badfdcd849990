export * from "./chunk";
export * from "./embedder";
export * from "./hybrid";
export * from "./prepare";
