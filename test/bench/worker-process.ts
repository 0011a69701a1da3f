import { fork, type ChildProcess } from "node:child_process";

/**
 * A load generator in its own process (so it does not take the server's event loop), spoken to by request →
 * reply over IPC, one request at a time.
 */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(moduleUrl: URL, options: { execArgv?: string[] } = {}) {
    this.child = fork(moduleUrl, [], {
      execArgv: ["--import", "tsx", ...(options.execArgv ?? [])],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T>(message: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onMessage = (reply: { error?: string }) => {
        cleanup();
        if (reply && typeof reply === "object" && typeof reply.error === "string")
          reject(new Error(`worker: ${reply.error}`));
        else resolve(reply as T);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`worker exited (${code}) before answering`));
      };
      const cleanup = () => {
        this.child.off("message", onMessage);
        this.child.off("exit", onExit);
      };
      this.child.on("message", onMessage);
      this.child.once("exit", onExit);
      this.child.send(message);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    await this.exited;
  }
}

/** Runs a worker's handler for every request from the parent; errors are sent back as `{ error }`. */
export function serveParent(handle: (message: any) => Promise<unknown>): void {
  process.on("message", (message) => {
    handle(message).then(
      (reply) => process.send!(reply ?? {}),
      (error: unknown) =>
        process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
