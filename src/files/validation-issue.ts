/** One finding of a content check: what is wrong, and where when known. */
export interface ValidationIssue {
  message: string;
  /** 1-based line in the file. */
  line?: number;
  /** Dotted path of the offending field in parsed content. */
  path?: string;
}
