import { randomUUID } from "node:crypto";
import pMap from "p-map";
import { AppError, isAppError } from "../errors.js";
import { validateContact, type ContactInput } from "./contact.js";
import type { ContactBook } from "./contact-book.js";
import { CSV_COLUMNS, csvRow, TAG_SEPARATOR, undefuse } from "./contacts-csv.js";
import { InMemoryImportJobStore, type ImportJobStore, type LiveImportJob } from "./import-job-store.js";
import type { WritePacer } from "./write-pacer.js";

export interface RowError {
  /** The row's line in the file (the header is row 1). */
  row: number;
  field: string;
  message: string;
}

export interface ImportJob {
  id: string;
  /** `interrupted`: the instance running it stopped (scaled out: its heartbeat lapsed); the counts are as it left them. */
  status: "processing" | "completed" | "interrupted";
  total: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** The first MAX_LISTED_ERRORS rejected rows; every one is in the rejected rows' CSV. */
  errors: RowError[];
  startedAt: string;
  /** When it completed, or (interrupted) when its instance was last heard of. */
  finishedAt: string | null;
}

/** Header names an import accepts for each field (the export's first, then common spellings). */
const HEADER_ALIASES: Record<keyof ContactInput, string[]> = {
  phoneNumber: ["phonenumber", "phone", "phone_number", "number", "mobile"],
  name: ["name", "fullname", "full_name"],
  email: ["email", "e-mail", "emailaddress"],
  tags: ["tags", "labels"],
};
export const MAX_LISTED_ERRORS = 1000;
/** Attempts per row when Twilio stays unavailable (429/5xx after the upstream policy's own retries). */
const ROW_ATTEMPTS = 4;
/** Writes of one import in flight at once (the pacer still spaces their starts). */
const WRITES_IN_FLIGHT = 8;
/**
 * The rejected rows a job keeps for its CSV, in bytes of their cells and reasons (about 10,000 rows of a usual
 * export): past it a row is only counted, and the CSV's last row says how many were left out. Bounds a job's record
 * (in Redis when scaled out) at about 1.1 MiB with its 1,000 listed errors.
 */
export const MAX_REJECTED_BYTES = 1024 * 1024;
/** How often the running instance records a job's progress in the store (scaled out: its heartbeat). */
const PROGRESS_EVERY_MS = 1000;

type JobState = LiveImportJob & { rejectedBytes: number };

/**
 * Contact imports: an upload's rows are checked at once (the answer carries the job), then upserted by E.164 in the
 * background, paced under Twilio's create limit; each row ends created, updated, unchanged or failed with its reason.
 * Jobs are kept in the store (memory, or Redis when scaled out so any instance answers for them; the last few per
 * tenant); the running instance records progress every second. An import is idempotent, so an interrupted one is
 * simply sent again.
 */
export class ImportJobs {
  constructor(
    private readonly pacer: (tenantId: string) => WritePacer,
    private readonly store: ImportJobStore = new InMemoryImportJobStore(),
    private readonly retryDelayMs = 1000,
  ) {}

  /** Checks the records (header first) and starts the job; rejects (400) a file without a phone number column. */
  async start(tenantId: string, book: ContactBook, records: string[][]): Promise<ImportJob> {
    const [header, ...rows] = records;
    if (!header) throw new AppError("validation_failed", "the CSV is empty: it needs a header row", { field: "file" });
    const columns = columnsOf(header);
    if (columns.phoneNumber === undefined)
      throw new AppError("validation_failed", `the CSV has no phone number column (header ${CSV_COLUMNS.join(",")})`, { field: "file" });
    const state: JobState = {
      job: { id: randomUUID(), status: "processing", total: rows.length, processed: 0, created: 0, updated: 0, unchanged: 0, failed: 0, errors: [], startedAt: new Date().toISOString(), finishedAt: null },
      header,
      rejected: [],
      rejectedLeftOut: 0,
      rejectedBytes: 0,
    };
    const valid: Array<{ row: number; cells: string[]; input: ContactInput }> = [];
    const seen = new Map<string, number>();
    rows.forEach((cells, i) => {
      const row = i + 2;
      try {
        const cell = (field: keyof ContactInput) => (columns[field] === undefined ? undefined : undefuse((cells[columns[field]!] ?? "").trim()));
        const input = validateContact(
          { phoneNumber: cell("phoneNumber"), name: cell("name"), email: cell("email"), tags: cell("tags")?.split(TAG_SEPARATOR) ?? [] },
          "",
        );
        const earlier = seen.get(input.phoneNumber);
        if (earlier !== undefined) throw new AppError("validation_failed", `the same phoneNumber as row ${earlier}`, { field: "phoneNumber" });
        seen.set(input.phoneNumber, row);
        valid.push({ row, cells, input });
      } catch (error) {
        this.reject(state, row, cells, error);
      }
    });
    await this.store.start(tenantId, state);
    void this.run(tenantId, book, state, valid);
    return snapshot(state.job);
  }

  async get(tenantId: string, jobId: string): Promise<ImportJob> {
    return (await this.record(tenantId, jobId)).job;
  }

  /** The rejected rows as CSV: the file's own header and cells, and a last column saying why. */
  async rejectedCsv(tenantId: string, jobId: string): Promise<string> {
    const { header, rejected, rejectedLeftOut } = await this.record(tenantId, jobId, true);
    const rows = [...rejected].sort((a, b) => a.row - b.row).map(({ cells, message, row }) => csvRow([...header.map((_, i) => cells[i] ?? ""), ...cells.slice(header.length), `row ${row}: ${message}`]));
    if (rejectedLeftOut > 0) rows.push(csvRow([...header.map(() => ""), `${rejectedLeftOut} more rejected rows are not listed (a job keeps ${MAX_REJECTED_BYTES / 1024} KiB of them)`]));
    return [csvRow([...header, "error"]), ...rows].join("");
  }

  private async record(tenantId: string, jobId: string, withRejected = false) {
    const record = await this.store.read(tenantId, jobId, withRejected);
    if (!record) throw new AppError("not_found", "no such import job in this tenant", { field: "jobId" });
    return record;
  }

  private reject(state: JobState, row: number, cells: string[], error: unknown) {
    const known = isAppError(error) ? error : undefined;
    const message = known?.expose ? known.message : "Twilio could not store it";
    const field = known?.options.field ?? "row";
    state.job.failed++;
    state.job.processed++;
    const bytes = cells.reduce((sum, cell) => sum + cell.length + 1, message.length + 8);
    if (state.rejectedBytes + bytes <= MAX_REJECTED_BYTES) {
      state.rejectedBytes += bytes;
      state.rejected.push({ row, cells, message });
    } else state.rejectedLeftOut++;
    if (state.job.errors.length < MAX_LISTED_ERRORS) state.job.errors.push({ row, field, message });
  }

  private async run(tenantId: string, book: ContactBook, state: JobState, rows: Array<{ row: number; cells: string[]; input: ContactInput }>) {
    const pacer = this.pacer(tenantId);
    // Progress reaches the store every second (one write at a time); the last write says it completed.
    let recording = Promise.resolve();
    const record = () => (recording = recording.then(() => this.store.progress(tenantId, state)).catch(() => {}));
    const heartbeat = setInterval(record, PROGRESS_EVERY_MS);
    // Several writes in flight: one at a time, Twilio's round trip (~100-200 ms) would hold an import far below the
    // pace; the pacer alone decides how many start each second. Duplicate numbers were refused above, so no two
    // writes in flight touch the same contact.
    await pMap(rows, async ({ row, cells, input }) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await book.upsert(input, () => pacer.acquire());
          state.job[outcome]++;
          state.job.processed++;
          break;
        } catch (error) {
          // Twilio still busy after the upstream policy's retries: wait and try the row again, a few times.
          const retryable = isAppError(error) && error.status >= 500;
          if (retryable && attempt < ROW_ATTEMPTS) {
            await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
            continue;
          }
          this.reject(state, row, cells, error);
          break;
        }
      }
    }, { concurrency: WRITES_IN_FLIGHT }).finally(() => clearInterval(heartbeat));
    state.job.status = "completed";
    state.job.finishedAt = new Date().toISOString();
    await record();
  }
}

function columnsOf(header: string[]): Partial<Record<keyof ContactInput, number>> {
  const normalised = header.map((name) => undefuse(name).trim().toLowerCase().replace(/\s+/g, ""));
  const columns: Partial<Record<keyof ContactInput, number>> = {};
  for (const [field, names] of Object.entries(HEADER_ALIASES) as Array<[keyof ContactInput, string[]]>) {
    const index = normalised.findIndex((name) => names.includes(name));
    if (index >= 0) columns[field] = index;
  }
  return columns;
}

const snapshot = (job: ImportJob): ImportJob => ({ ...job, errors: [...job.errors] });
