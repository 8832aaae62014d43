/**
 * Every error Sightline itself throws. Only `init` (and factories that validate options) throw;
 * telemetry calls never do. Codes are stable and never reused.
 */
export type SightlineErrorCode = 'SIGHTLINE_ERR_INVALID_OPTION' | 'SIGHTLINE_ERR_CLOSED';

export class SightlineError extends Error {
  readonly code: SightlineErrorCode;

  constructor(code: SightlineErrorCode, message: string) {
    super(message);
    this.name = 'SightlineError';
    this.code = code;
  }
}

/** A `TypeError` naming the bad option: "Invalid `sampleRate`: must be a number between 0 and 1". */
export class SightlineOptionError extends TypeError {
  readonly code = 'SIGHTLINE_ERR_INVALID_OPTION' as const;
  readonly option: string;

  constructor(option: string, expectation: string) {
    super(`Invalid \`${option}\`: must be ${expectation}`);
    this.name = 'TypeError';
    this.option = option;
  }
}
