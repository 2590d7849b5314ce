// Lay out a graph with ELK (the Eclipse Layout Kernel, npm package elkjs): read an ELK JSON
// graph on stdin, write it back with positions and edge routes on stdout. Used by
// scripts/lineage.py when `make figures` draws the Lineage diagram.
import ELK from "elkjs/lib/elk.bundled.js";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  try {
    const laid = await new ELK().layout(JSON.parse(input));
    process.stdout.write(JSON.stringify(laid));
  } catch (err) {
    process.stderr.write(`elk_layout: ${err.message || err}\n`);
    process.exit(1);
  }
});
