// Entry point of launcher; filled in by its feature work.
export {};
