// The workflow bundle entry: deterministic code only (no zod, undici or store imports below this folder).
export {};
