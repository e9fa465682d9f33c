/**
 * Line splitting with line numbers and a length cap.
 *
 * split2 is the usual tool, but it cannot serve here: it drops over-long lines silently with
 * `skipOverflow` (or errors the stream without it) and does not number lines, and every line we
 * read must end as a record or a numbered dead letter. This class keeps split2's approach
 * (decode, split on `\n`, carry the tail) and adds the accounting.
 */

/** Longest prefix of an over-long line kept for its dead letter. */
export const OVERSIZE_SAMPLE = 1024

/** Receives each complete line (without `\n` or a trailing `\r`) and its 1-based number. */
export type LineHandler = (line: string, lineNo: number) => void
/** Receives each line that exceeded the cap, with the first {@link OVERSIZE_SAMPLE} characters. */
export type OversizeHandler = (sample: string, lineNo: number, length: number) => void

export class LineSplitter {
  /** Characters of the current unfinished line. */
  private tail = ''
  /** True while discarding the rest of an over-long line. */
  private skipping = false
  private skippedLength = 0
  private sample = ''
  private lineNo = 0
  private first = true

  constructor (
    private readonly maxLineLength: number,
    private readonly onLine: LineHandler,
    private readonly onOversize: OversizeHandler
  ) {}

  /** Number of lines completed so far. */
  get lines (): number { return this.lineNo }

  /** Feeds decoded text. */
  push (text: string): void {
    if (this.first && text.length > 0) {
      this.first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1) // UTF-8 BOM
    }
    let start = 0
    let nl = text.indexOf('\n')
    while (nl !== -1) {
      if (this.skipping) {
        this.skippedLength += nl - start
        this.finishOversize()
      } else {
        const piece = this.tail.length > 0 ? this.tail + text.slice(start, nl) : text.slice(start, nl)
        this.tail = ''
        if (piece.length > this.maxLineLength) {
          this.lineNo++
          this.onOversize(piece.slice(0, OVERSIZE_SAMPLE), this.lineNo, piece.length)
        } else {
          this.emit(piece)
        }
      }
      start = nl + 1
      nl = text.indexOf('\n', start)
    }
    if (start < text.length) {
      if (this.skipping) {
        this.skippedLength += text.length - start
      } else {
        this.tail += text.slice(start)
        if (this.tail.length > this.maxLineLength) {
          // Stop buffering: keep a sample, count the rest until the next newline.
          this.skipping = true
          this.sample = this.tail.slice(0, OVERSIZE_SAMPLE)
          this.skippedLength = this.tail.length
          this.tail = ''
        }
      }
    }
  }

  /** Flushes a last line that had no trailing newline. */
  end (): void {
    if (this.skipping) {
      this.finishOversize()
    } else if (this.tail.length > 0) {
      const piece = this.tail
      this.tail = ''
      this.emit(piece)
    }
  }

  private emit (piece: string): void {
    this.lineNo++
    const last = piece.length - 1
    this.onLine(last >= 0 && piece.charCodeAt(last) === 13 ? piece.slice(0, last) : piece, this.lineNo)
  }

  private finishOversize (): void {
    this.lineNo++
    this.onOversize(this.sample, this.lineNo, this.skippedLength)
    this.skipping = false
    this.sample = ''
    this.skippedLength = 0
  }
}
