export * from "./schema";
export * from "./types";
export * from "./templates";
export * from "./compile";
export * from "./evaluate";
