// Entry point of orchestrator; filled in by its feature work.
export {};
