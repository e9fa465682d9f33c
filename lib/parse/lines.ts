/**
 * Line splitting with line numbers and a length cap.
 *
 * split2 is the usual tool, but it cannot serve here: it drops over-long lines silently with
 * `skipOverflow` (or errors the stream without it) and does not number lines, and every line we
 * read must end as a record or a numbered dead letter. This class keeps split2's approach
 * (decode, split on `\n`, carry the tail) and adds the accounting.
 *
 * Readers feed bytes ({@link LineSplitter.pushBytes}): each line is decoded on its own, so no
 * line is a slice of a chunk-sized string. V8 keeps a sliced string's whole parent alive, so
 * one event held for a retroactive label (or one key kept in a store) would pin the 256 KiB
 * chunk it came from: measured, 260 MB of chunks pinned by 2,263 held events.
 */
import { StringDecoder } from 'node:string_decoder'

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
  /** Decodes the bytes of a line that spans chunks (a character may be split between them). */
  private readonly tailDecoder = new StringDecoder('utf8')
  /** Bytes of the current line are in {@link tail} or pending in {@link tailDecoder}. */
  private tailOpen = false
  /** A UTF-8 BOM at the start of byte input is still to be dropped from the first line. */
  private bomPending = false

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

  /** Feeds raw UTF-8 bytes (a UTF-8 BOM at the very start is dropped). */
  pushBytes (buf: Buffer): void {
    let start = 0
    if (this.first && buf.length > 0) {
      this.first = false
      this.bomPending = true // the BOM may arrive split over chunks: dropped from the first line's text
    }
    let nl = buf.indexOf(10, start)
    while (nl !== -1) {
      if (this.skipping) {
        this.skippedLength += this.tailDecoder.write(buf.subarray(start, nl)).length + this.tailDecoder.end().length
        this.finishOversize()
      } else {
        let piece: string
        if (this.tailOpen) {
          piece = this.tail + this.tailDecoder.write(buf.subarray(start, nl)) + this.tailDecoder.end()
          this.tail = ''
          this.tailOpen = false
        } else {
          piece = buf.toString('utf8', start, nl)
        }
        if (piece.length > this.maxLineLength) {
          this.bomPending = false
          this.lineNo++
          this.onOversize(piece.slice(0, OVERSIZE_SAMPLE), this.lineNo, piece.length)
        } else {
          this.emit(piece)
        }
      }
      start = nl + 1
      nl = buf.indexOf(10, start)
    }
    if (start < buf.length) {
      const text = this.tailDecoder.write(buf.subarray(start))
      if (this.skipping) {
        this.skippedLength += text.length
      } else {
        this.tail += text
        this.tailOpen = true
        if (this.tail.length > this.maxLineLength) {
          this.skipping = true
          this.sample = this.tail.slice(0, OVERSIZE_SAMPLE)
          this.skippedLength = this.tail.length
          this.tail = ''
          this.tailOpen = false
        }
      }
    }
  }

  /** Flushes a last line that had no trailing newline. */
  end (): void {
    const rest = this.tailDecoder.end() // bytes of an unfinished character (pushBytes only)
    if (rest.length > 0) {
      if (this.skipping) this.skippedLength += rest.length
      else this.tail += rest
    }
    this.tailOpen = false
    if (this.skipping) {
      this.finishOversize()
    } else if (this.tail.length > 0) {
      const piece = this.tail
      this.tail = ''
      this.emit(piece)
    }
  }

  private emit (piece: string): void {
    if (this.bomPending) {
      this.bomPending = false
      if (piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1)
    }
    this.lineNo++
    const last = piece.length - 1
    this.onLine(last >= 0 && piece.charCodeAt(last) === 13 ? piece.slice(0, last) : piece, this.lineNo)
  }

  private finishOversize (): void {
    this.bomPending = false
    this.lineNo++
    this.onOversize(this.sample, this.lineNo, this.skippedLength)
    this.skipping = false
    this.sample = ''
    this.skippedLength = 0
  }
}
