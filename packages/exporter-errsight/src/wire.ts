/**
 * The ErrSight ingest shapes (`POST /api/v1/events`, ErrSight-OSS
 * `app/controllers/api/v1/events_controller.rb`): the body is a JSON array of these events; the
 * server keeps only these top-level keys and reads exception data from `metadata`.
 */

export type ErrSightLevel = 'debug' | 'info' | 'warning' | 'error' | 'fatal';

export interface ErrSightFrame {
  filename: string;
  abs_path: string;
  lineno?: number;
  function: string;
  in_app: boolean;
  pre_context?: string[];
  context_line?: string;
  post_context?: string[];
}

export interface ErrSightCause {
  class: string;
  message: string;
  backtrace?: string[];
}

export interface ErrSightUser {
  id?: string;
  email?: string;
  username?: string;
  ip_address?: string;
}

export interface ErrSightBreadcrumb {
  timestamp: string;
  category: string;
  level: ErrSightLevel;
  message: string;
  data?: Record<string, unknown>;
}

export interface ErrSightMetadata {
  exception_class?: string;
  /** Oldest call first, like the reference Python client. */
  exception_frames?: ErrSightFrame[];
  /** Outermost cause first. */
  exception_causes?: ErrSightCause[];
  [key: string]: unknown;
}

export interface ErrSightEvent {
  level: ErrSightLevel;
  message: string;
  backtrace?: string;
  environment?: string;
  release?: string;
  /** ISO-8601 UTC with milliseconds. */
  timestamp: string;
  fingerprint?: string[];
  user?: ErrSightUser;
  breadcrumbs?: ErrSightBreadcrumb[];
  tags?: Record<string, string>;
  metadata: ErrSightMetadata;
}
