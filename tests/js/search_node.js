// Runs the search page's own code (static/assets/search.js) under Node over a built site's
// files: node search_node.js OUTPUT_DIR QUERY... prints, for each query, the results in
// order as [url, title] pairs (JSON, one line).
"use strict";
const fs = require("fs");
const path = require("path");
const search = require(path.join(__dirname, "../../static/assets/search.js"));

const root = process.argv[2];
global.fetch = async (url) => {
  const file = path.join(root, decodeURI(url.split("?")[0]));
  try {
    const data = fs.readFileSync(file);
    return new Response(data, { status: 200 });
  } catch (error) {
    return new Response(null, { status: 404 });
  }
};

(async () => {
  const index = new search.Index("/search/meta.json");
  const out = {};
  for (const query of process.argv.slice(3)) {
    const found = await index.search(query);
    const pages = await Promise.all(found.results.map((result) => index.page(result)));
    out[query] = pages.map((page) => [page.url, page.title]);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => {
  process.stderr.write(String(error.stack || error));
  process.exit(1);
});
