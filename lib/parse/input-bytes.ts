/**
 * The byte side of a reader stream: recognises gzip by its magic number in the first chunk and
 * gunzips it, hands the (plain) bytes on, and reports a corrupt or truncated archive once, after
 * which the rest of the input is ignored. Shared by {@link LogReader} and the sharding reader of
 * `--workers` so that both read exactly the same bytes.
 */
import { createGunzip, type Gunzip } from 'node:zlib'

export class InputBytes {
  private first = true
  private gunzip: Gunzip | undefined
  private corrupt = false
  private pendingWrite: (() => void) | undefined
  private whenEnded: (() => void) | undefined
  /** Whether the input is gzip-compressed (known after the first chunk). */
  gzip = false

  /**
   * @param onBytes receives the input's plain bytes, in order
   * @param onCorrupt called once when the gzip data is corrupt or truncated; no bytes follow
   */
  constructor (private readonly onBytes: (bytes: Buffer) => void, private readonly onCorrupt: (err: Error) => void) {}

  /** Whether the archive was found corrupt (the input ended there). */
  get failed (): boolean { return this.corrupt }

  /** Takes one chunk; `done` runs once its bytes have been handed on (gunzip may take a while). */
  write (chunk: Buffer, done: () => void): void {
    if (this.first) {
      this.first = false
      if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) this.startGunzip()
    }
    if (this.corrupt) { done(); return } // rest of a corrupt archive: already reported
    if (this.gunzip !== undefined) {
      this.pendingWrite = done
      this.gunzip.write(chunk, () => { this.releaseWrite() })
      return
    }
    this.onBytes(chunk)
    done()
  }

  /** End of input: `done` runs once every byte has been handed on (or the archive failed). */
  end (done: () => void): void {
    if (this.gunzip === undefined) { done(); return }
    this.whenEnded = done
    this.gunzip.end()
  }

  private releaseWrite (): void {
    const cb = this.pendingWrite
    this.pendingWrite = undefined
    if (cb !== undefined) cb()
  }

  private ended (): void {
    const cb = this.whenEnded
    this.whenEnded = undefined
    if (cb !== undefined) cb()
  }

  private startGunzip (): void {
    this.gzip = true
    const gz = createGunzip()
    this.gunzip = gz
    gz.on('data', (buf: Buffer) => { this.onBytes(buf) })
    gz.on('end', () => { this.ended() })
    gz.on('error', (err: Error) => {
      this.gunzip = undefined
      this.corrupt = true
      this.onCorrupt(err)
      this.releaseWrite()
      this.ended()
    })
  }
}
