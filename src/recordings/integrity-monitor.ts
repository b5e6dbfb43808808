import type { Logger } from 'pino';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { RecordingsStore } from '../store/recordings-store.ts';
import type { RecordingRow } from '../store/schema/calls.ts';
import { checkArchivedFile, verifyIntegrity, type FileCheck, type IntegrityReport } from './integrity.ts';

export interface IntegrityAlert {
  kind: 'recording-tampered';
  message: string;
  recording?: string;
  callId?: string;
}

/** Where an integrity alert goes (the supervisors' alert stream; wired in the call layer). */
export type IntegrityAlertSink = (alert: IntegrityAlert) => void;

export interface IntegrityMonitorOptions {
  repo: RecordingsStore;
  resolveFile: (row: RecordingRow) => string | null;
  clock: Clock;
  alert: IntegrityAlertSink;
  logger?: Logger;
  /** Files re-hashed per daily run (0: all); the chains are always walked whole. */
  filesPerDay: number;
  intervalMs?: number;
  firstDelayMs?: number;
  /** Whether the scheduled check runs on this instance now (several instances: the call owner's). Default: always. */
  runsHere?: () => boolean;
}

/**
 * The daily integrity check (issue 11 item 4) on the injected clock, and the re-check before a
 * download. Any mismatch raises an alert naming the first row or file that does not match. The check
 * also remembers each chain's length: a chain that got shorter lost its last rows, which the links
 * alone cannot show.
 */
export class IntegrityMonitor {
  private timer: TimerId | undefined;
  private cursor = '';
  private lastRows: { audit: number; index: number } | undefined;
  private running: Promise<IntegrityReport> | undefined;
  private closed = false;

  constructor(private readonly o: IntegrityMonitorOptions) {}

  start(): void {
    if (this.closed || this.timer !== undefined) return;
    this.schedule(this.o.firstDelayMs ?? 15 * 60_000);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One check now; `files` overrides the daily sample (0: all). Alerts on the first problem. */
  run(opts: { files?: number } = {}): Promise<IntegrityReport> {
    this.running ??= this.runOnce(opts.files ?? this.o.filesPerDay).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Before serving a file: re-hash it; a mismatch or a missing file raises an alert. */
  async checkDownload(row: RecordingRow): Promise<FileCheck> {
    const res = await checkArchivedFile(this.o.resolveFile, row);
    if (res.status !== 'ok')
      this.raise({
        kind: 'recording-tampered',
        message: `download refused: ${res.message}`,
        recording: row.name,
        callId: row.callId,
      });
    return res;
  }

  private async runOnce(files: number): Promise<IntegrityReport> {
    const { nextFileCursor, ...report } = await verifyIntegrity({
      repo: this.o.repo,
      resolveFile: this.o.resolveFile,
      files,
      fileCursor: this.cursor,
    });
    this.cursor = nextFileCursor;
    const prev = this.lastRows;
    if (prev && (report.audit.rows < prev.audit || report.index.rows < prev.index)) {
      const which =
        report.audit.rows < prev.audit
          ? `audit_log has ${report.audit.rows} rows, ${prev.audit} at the last check`
          : `recording_index has ${report.index.rows} entries, ${prev.index} at the last check`;
      const p = {
        kind: 'audit-chain' as const,
        where: report.audit.rows < prev.audit ? 'audit_log' : 'recording_index',
        message: `a chain got shorter: ${which}`,
      };
      report.problems.unshift(p);
      report.first = p;
      report.ok = false;
    }
    this.lastRows = { audit: report.audit.rows, index: report.index.rows };
    if (report.first) {
      const more = report.problems.length > 1 ? ` (+${report.problems.length - 1} more)` : '';
      this.raise({
        kind: 'recording-tampered',
        message: `integrity check: ${report.first.message}${more}`,
        recording: report.first.recording,
        callId: report.first.callId,
      });
    }
    return report;
  }

  private raise(a: IntegrityAlert): void {
    this.o.logger?.error({ recording: a.recording, kind: a.kind }, a.message);
    try {
      this.o.alert(a);
    } catch (err) {
      this.o.logger?.error({ err: String(err) }, 'recordings: integrity alert could not be delivered');
    }
  }

  private schedule(ms: number): void {
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      if (!(this.o.runsHere?.() ?? true)) {
        if (!this.closed) this.schedule(this.o.intervalMs ?? 86_400_000);
        return;
      }
      void this.run()
        .catch((err: unknown) =>
          this.raise({ kind: 'recording-tampered', message: `integrity check failed to run: ${String(err)}` }),
        )
        .finally(() => {
          if (!this.closed) this.schedule(this.o.intervalMs ?? 86_400_000);
        });
    }, ms);
  }
}
