export * from "./chunk";
export * from "./documents";
export * from "./prepare";
