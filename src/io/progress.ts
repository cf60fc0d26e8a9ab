/** What a loader reports while it reads; the CLI turns it into a status line, the UI into state. */
export interface Progress {
  readonly stage: 'reading' | 'analysing';
  /** Raw bytes of the source read so far. */
  readonly bytes: number;
  /** Total raw bytes, when known. */
  readonly totalBytes?: number;
  /** Layers fully read so far, and how many there are when known. */
  readonly layersRead: number;
  readonly layerCount?: number;
}

export type ProgressListener = (p: Progress) => void;
