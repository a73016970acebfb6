// Entry point of device-agent; filled in by its feature work.
export {};
