import { Readable } from "node:stream";
import type { Contact } from "./contact.js";

/** The columns of an export, which an import reads back. */
export const CSV_COLUMNS = ["phoneNumber", "name", "email", "tags", "createdAt"] as const;
/** Tags share one cell, separated by this. */
export const TAG_SEPARATOR = ";";

/** A cell a spreadsheet would run as a formula starts with one of these (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field: a leading formula character is defused with a `'` (the spreadsheet shows the text, runs
 * nothing; an import takes the `'` off again), and a field holding a quote, comma or line break is quoted with
 * its quotes doubled.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Undoes `csvField`'s defusing: a `'` before a formula character is the export's, not the data's. */
export const undefuse = (value: string) => (/^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value);

export const csvRow = (fields: string[]) => `${fields.map(csvField).join(",")}\r\n`;

/** The contacts as CSV, a row at a time (CRLF line ends, a header first). */
export function contactsCsv(contacts: Iterable<Contact>): Readable {
  function* rows() {
    yield csvRow([...CSV_COLUMNS]);
    for (const contact of contacts) {
      yield csvRow([contact.phoneNumber, contact.name ?? "", contact.email ?? "", contact.tags.join(TAG_SEPARATOR), contact.createdAt]);
    }
  }
  return Readable.from(rows(), { objectMode: false });
}

/**
 * Parses RFC 4180 text incrementally: feed chunks, get complete records. Quoted fields may hold commas, quotes
 * (doubled) and line breaks; CRLF and LF both end a record. Fails on a record longer than `maxRecordChars`.
 */
export class CsvParser {
  private field = "";
  private record: string[] = [];
  private quoted = false;
  /** Inside quotes, a quote was just read: the next character decides whether it was a closing one. */
  private quotePending = false;
  private recordChars = 0;
  private fieldStarted = false;

  constructor(private readonly maxRecordChars = 64 * 1024) {}

  push(text: string): string[][] {
    const records: string[][] = [];
    for (const char of text) {
      if (++this.recordChars > this.maxRecordChars) throw new Error(`a CSV record is longer than ${this.maxRecordChars} characters`);
      if (this.quoted) {
        if (this.quotePending) {
          this.quotePending = false;
          if (char === '"') {
            this.field += '"';
            continue;
          }
          this.quoted = false; // that quote closed the field: handle `char` below
        } else if (char === '"') {
          this.quotePending = true;
          continue;
        } else {
          this.field += char;
          continue;
        }
      }
      if (char === '"' && !this.fieldStarted) {
        this.quoted = true;
        this.fieldStarted = true;
      } else if (char === ",") {
        this.endField();
      } else if (char === "\n") {
        this.endRecord(records);
      } else if (char === "\r") {
        // CR of CRLF (or a lone CR): ends the record at the LF, or is dropped
      } else {
        this.field += char;
        this.fieldStarted = true;
      }
    }
    return records;
  }

  /** The last record when the text does not end with a line break. */
  end(): string[][] {
    if (this.quoted && !this.quotePending) throw new Error("the CSV ends inside a quoted field");
    this.quoted = false;
    this.quotePending = false;
    const records: string[][] = [];
    if (this.fieldStarted || this.record.length > 0) this.endRecord(records);
    return records;
  }

  private endField() {
    this.record.push(this.field);
    this.field = "";
    this.fieldStarted = false;
  }

  private endRecord(records: string[][]) {
    this.endField();
    // A blank line is no record.
    if (!(this.record.length === 1 && this.record[0] === "")) records.push(this.record);
    this.record = [];
    this.recordChars = 0;
  }
}
