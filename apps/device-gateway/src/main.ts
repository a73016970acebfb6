// Entry point of device-gateway; filled in by its feature work.
export {};
