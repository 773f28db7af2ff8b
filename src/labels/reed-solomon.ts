// Reed-Solomon error correction over GF(256), as 2D symbols use it: Data Matrix (field 301, roots from a^1) and
// QR codes (field 0x11d, roots from a^0).

export interface ReedSolomon {
  /** The n error correction codewords for the data (the remainder of data * x^n by the generator polynomial). */
  remainder(data: ArrayLike<number>, n: number): Uint8Array;
}

export function reedSolomon(fieldPolynomial: number, firstRoot: number): ReedSolomon {
  const exp = new Uint8Array(512);
  const log = new Uint8Array(256);
  let x = 1;
  for (let i = 0; i < 255; i++) {
    exp[i] = x;
    log[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= fieldPolynomial;
  }
  for (let i = 255; i < 512; i++) exp[i] = exp[i - 255]!;
  const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : exp[log[a]! + log[b]!]!);

  const generators = new Map<number, Uint8Array>();
  /** Coefficients of (x - a^r)(x - a^(r+1))... n factors, highest power first, the leading 1 dropped. */
  const generator = (n: number) => {
    let g = generators.get(n);
    if (!g) {
      let poly = [1];
      for (let i = firstRoot; i < firstRoot + n; i++) {
        const next = new Array<number>(poly.length + 1).fill(0);
        for (let j = 0; j < poly.length; j++) {
          next[j]! ^= poly[j]!;
          next[j + 1]! ^= mul(poly[j]!, exp[i]!);
        }
        poly = next;
      }
      g = Uint8Array.from(poly.slice(1));
      generators.set(n, g);
    }
    return g;
  };

  return {
    remainder(data, n) {
      const g = generator(n);
      const rem = new Uint8Array(n);
      for (let i = 0; i < data.length; i++) {
        const factor = data[i]! ^ rem[0]!;
        rem.copyWithin(0, 1);
        rem[n - 1] = 0;
        if (factor !== 0) for (let j = 0; j < n; j++) rem[j]! ^= mul(g[j]!, factor);
      }
      return rem;
    },
  };
}
