import type { CliStream } from '../context';

const CLEAR = '\r\u001b[K';

/**
 * A status line at the bottom of a terminal: `show` redraws it in place; `around` clears it while
 * other output is written, then draws it again. Off a terminal it prints each new text as a line.
 */
export class StatusLine {
  private text = '';

  constructor(private readonly stream: CliStream) {}

  get live(): boolean {
    return Boolean(this.stream.isTTY);
  }

  show(text: string): void {
    if (text === this.text) return;
    this.text = text;
    this.stream.write(this.live ? `${CLEAR}${text}` : `${text}\n`);
  }

  around(write: () => void): void {
    if (this.live && this.text) this.stream.write(CLEAR);
    write();
    if (this.live && this.text) this.stream.write(this.text);
  }

  /** Leaves the terminal's last line empty. */
  end(): void {
    if (this.live && this.text) this.stream.write(CLEAR);
    this.text = '';
  }
}
