/** Events per second over a sliding window of whole seconds (for the status endpoint). */
export class RateMeter {
  private readonly buckets: number[];
  private lastSecond = 0;

  constructor(private readonly windowS = 60) {
    this.buckets = new Array(windowS).fill(0);
  }

  add(n: number, nowMs = Date.now()): void {
    this.advance(nowMs);
    const i = Math.floor(nowMs / 1000) % this.windowS;
    this.buckets[i]! += n;
  }

  /** Mean rate over the window, excluding the current (incomplete) second. */
  perSecond(nowMs = Date.now()): number {
    this.advance(nowMs);
    const current = Math.floor(nowMs / 1000) % this.windowS;
    let sum = 0;
    for (let i = 0; i < this.windowS; i++) if (i !== current) sum += this.buckets[i]!;
    return sum / (this.windowS - 1);
  }

  private advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (this.lastSecond === 0) this.lastSecond = second;
    const steps = Math.min(this.windowS, second - this.lastSecond);
    for (let s = 1; s <= steps; s++) this.buckets[(this.lastSecond + s) % this.windowS] = 0;
    this.lastSecond = Math.max(this.lastSecond, second);
  }
}
