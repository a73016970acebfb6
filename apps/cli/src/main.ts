// Entry point of cli; filled in by its feature work.
export {};
