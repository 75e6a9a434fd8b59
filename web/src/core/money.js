// Amounts in 万元 as the API sends them: strings with two decimals ("1250.50"). Sums are done in whole
// cents (integers), never in floating point, so the plan editor's difference is exact.
const AMOUNT = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/;

/** Integer hundredths of 万元 of a typed or received amount; null when it is not one. */
export function toCents(text) {
  const found = AMOUNT.exec(String(text ?? ""));
  if (!found) return null;
  return Number(found[1]) * 100 + Number((found[2] || "").padEnd(2, "0"));
}

/** "1250.50" from 125050 (negative amounts keep their sign). */
export function fromCents(cents) {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** An amount for reading: "1,250.50 万元". */
export function wan(text) {
  if (text === null || text === undefined || text === "") return "—";
  const [whole, part] = String(text).split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${(part || "00").padEnd(2, "0")} 万元`;
}
