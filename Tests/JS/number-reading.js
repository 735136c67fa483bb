// The page's reading of a person's number (culise.js personScaled/personCents) against the server's rule
// (Kernel.NumberText, Tests/KernelTests/NumberTextTests.swift): run by .ci/run with Node (`node Tests/JS/number-reading.js`).
const fs = require("fs");
const path = require("path");
const source = fs.readFileSync(path.join(__dirname, "../../Sources/Web/Static/culise.js"), "utf8");
global.document = { addEventListener() {}, documentElement: { lang: "ro" } };
// Only the functions before the first DOMContentLoaded handler: the rest needs a page.
eval(source.split("document.addEventListener")[0]);
const cents = [
  ["1.234,56", 123456], ["1,234.56", 123456], ["1234,56", 123456], ["1234.56", 123456], ["1 234,56", 123456],
  ["1\u00a0234,56", 123456], ["-12,50", -1250], ["+3", 300], ["1,5", 150], ["12", 1200], ["1.234.567", 123456700],
  ["1.234", 0], ["01.234", 0], ["1,2345", 0], ["12,345.6.7", 0], ["abc", 0], ["", 0], ["1.", 0], [".5", 0], ["1.23.456", 0],
];
const scaled = [["1.234,56", 1234560000n], ["0,123456", 123456n], ["21", 21000000n], ["1.234", null], ["0,1234567", null]];
let failures = 0;
for (const [text, want] of cents) {
  const got = personCents(text);
  if (got !== want) { failures++; console.log(`personCents(${JSON.stringify(text)}) = ${got}, want ${want}`); }
}
for (const [text, want] of scaled) {
  const got = personScaled(text, 6);
  if (got !== want) { failures++; console.log(`personScaled(${JSON.stringify(text)}, 6) = ${got}, want ${want}`); }
}
if (failures) { process.exit(1); }
console.log(`number reading in the page: ${cents.length + scaled.length} cases agree with the server's rule`);
