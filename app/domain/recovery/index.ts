export * from "./schema";
export * from "./placeholders";
export * from "./templates";
export * from "./plan";
export * from "./decide";
export * from "./zoned-time";
export * from "./brand";
