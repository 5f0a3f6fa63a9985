#!/usr/bin/env bash
# `npm run check:pack`: what `npm pack` would publish is dist/, README.md, LICENSE and package.json,
# nothing else, and dist/ holds the node and credential files package.json points n8n at.
# Run it after `npm run build` (dist/ is what ships). Exit 1 with the offending paths otherwise.
N8N_LIB_TAG=pack
. "$(dirname "$0")/preamble.sh"

npm pack --dry-run --json 2>/dev/null | node -e '
	const [pack] = JSON.parse(require("fs").readFileSync(0, "utf8"));
	const { n8n } = require("./package.json");
	const shipped = pack.files.map((file) => file.path);
	const allowed = (path) => path.startsWith("dist/") || ["README.md", "LICENSE", "package.json"].includes(path);
	const problems = [
		...shipped.filter((path) => !allowed(path)).map((path) => `ships ${path}`),
		...["README.md", "LICENSE", "package.json", ...n8n.nodes, ...n8n.credentials]
			.filter((path) => !shipped.includes(path))
			.map((path) => `does not ship ${path}`),
	];
	if (problems.length) {
		console.error(`npm pack: ${problems.join("; ")}`);
		process.exit(1);
	}
	console.error(`npm pack ships ${shipped.length} files (${pack.size} bytes): dist/, README.md, LICENSE, package.json`);
'
