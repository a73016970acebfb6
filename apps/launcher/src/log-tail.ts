/** Keeps the last lines of a child's output, to explain a failed start. */
export class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly limit = 30) {}

  push(text: string): void {
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      this.lines.push(line);
      if (this.lines.length > this.limit) this.lines.shift();
    }
  }

  toString(): string {
    return this.lines.map((l) => `    ${l}`).join("\n");
  }
}
