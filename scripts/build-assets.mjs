// Copies the pinned npm assets Hearth serves into src/hearth/static/dist (git-ignored).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "src", "hearth", "static", "dist");
const assets = {
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "@picocss/pico/css/pico.min.css": "pico.min.css",
};
mkdirSync(dist, { recursive: true });
for (const [from, to] of Object.entries(assets)) {
  copyFileSync(join(root, "node_modules", from), join(dist, to));
  console.log(`assets: ${from} -> static/dist/${to}`);
}
