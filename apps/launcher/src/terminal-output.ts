// The launcher's own output. When whoever reads it goes away (`npm start | tee log` and a Ctrl-C
// kills `tee` too; `npm start | head`), every later write fails with EPIPE; unhandled, each
// failure would be an uncaught exception whose own report fails again, and the launcher would
// spin instead of stopping. So the first EPIPE silences the output and says so once, to the
// caller, who stops cleanly.

export interface TerminalOutput {
  /** Writes one line to stdout, or nothing once the reader is gone. */
  print(line: string): void;
  /** Writes to stderr, or nothing once the reader is gone. */
  printError(text: string): void;
  /** True once a write found no reader. */
  isGone(): boolean;
}

export function terminalOutput(
  onGone: (stream: "stdout" | "stderr") => void,
  streams: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process,
): TerminalOutput {
  let gone = false;
  const watch = (name: "stdout" | "stderr") =>
    streams[name].on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      if (gone) return;
      gone = true;
      onGone(name);
    });
  watch("stdout");
  watch("stderr");
  return {
    print: (line) => {
      if (!gone) streams.stdout.write(`${line}\n`);
    },
    printError: (text) => {
      if (!gone) streams.stderr.write(text);
    },
    isGone: () => gone,
  };
}
