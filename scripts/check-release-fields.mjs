// `npm run release` runs this first (and .github/workflows/publish.yml before publishing): it refuses
// to go on while package.json's `repository`, `author` or `homepage` are placeholders, and names the
// fields to fill. n8n verifies a community package only when its npm repository URL is a public GitHub
// repository whose link works and its author matches that repository (docs/releasing.md), and npm
// rejects a provenance statement whose repository differs from the one the workflow ran in.
//
// Usage: node scripts/check-release-fields.mjs [path/to/package.json]   (default: ./package.json)
// Exit 0 when the three fields are filled, 1 with the list of fields to fill otherwise, 2 when the
// file cannot be read.
//
// A value is a placeholder when it
//   - is missing or empty, or
//   - is one of PLACEHOLDER_VALUES: the values this repository started with, which name a GitHub
//     organisation and a mail domain nobody owns, or
//   - contains PLACEHOLDER_MARKER (for templates: "https://github.com/REPLACE-ME/n8n-nodes-dedalus").
// Also refused: a repository that is not on github.com (n8n accepts only GitHub Actions provenance).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import process from 'node:process';

const PLACEHOLDER_MARKER = 'REPLACE-ME';

const PLACEHOLDER_VALUES = [
	'git+https://github.com/n8n-nodes-dedalus/n8n-nodes-dedalus.git',
	'https://github.com/n8n-nodes-dedalus/n8n-nodes-dedalus',
	'https://github.com/n8n-nodes-dedalus/n8n-nodes-dedalus#readme',
	'n8n-nodes-dedalus developers',
	'maintainers@n8n-nodes-dedalus.dev',
];

const isPlaceholder = (value) =>
	typeof value !== 'string' ||
	value.trim() === '' ||
	PLACEHOLDER_VALUES.includes(value.trim()) ||
	value.toUpperCase().includes(PLACEHOLDER_MARKER);

/** "Name <email> (url)", npm's one-string form of a person, split into its parts. */
const parsePerson = (person) => {
	if (typeof person !== 'string') return person ?? {};
	const match = /^([^<(]*?)\s*(?:<([^>]*)>)?\s*(?:\(([^)]*)\))?$/.exec(person.trim());
	return match ? { name: match[1], email: match[2], url: match[3] } : { name: person };
};

/** The fields to fill, each with what it must hold; empty when package.json is ready to publish. */
function releaseFieldProblems(pkg) {
	const problems = [];
	const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
	if (isPlaceholder(repository)) {
		problems.push(
			`repository.url is ${JSON.stringify(repository ?? null)}: the public GitHub repository this package ` +
				'is published from, e.g. "git+https://github.com/<owner>/n8n-nodes-dedalus.git"',
		);
	} else if (!/^(git\+)?https:\/\/github\.com\/[^/]+\/[^/]+/.test(repository)) {
		problems.push(
			`repository.url is ${JSON.stringify(repository)}: it must be a https://github.com/ repository ` +
				'(n8n verifies only packages published from GitHub Actions with provenance)',
		);
	}
	const author = parsePerson(pkg.author);
	if (isPlaceholder(author.name)) {
		problems.push(
			`author.name is ${JSON.stringify(author.name ?? null)}: the person or organisation that maintains the package`,
		);
	}
	if (author.email !== undefined && isPlaceholder(author.email)) {
		problems.push(
			`author.email is ${JSON.stringify(author.email)}: a working address of the maintainer (or remove it)`,
		);
	}
	if (isPlaceholder(pkg.homepage)) {
		problems.push(
			`homepage is ${JSON.stringify(pkg.homepage ?? null)}: the repository's page, e.g. ` +
				'"https://github.com/<owner>/n8n-nodes-dedalus#readme"',
		);
	}
	return problems;
}

const path = resolve(process.argv[2] ?? 'package.json');
let pkg;
try {
	pkg = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
	process.stderr.write(`check-release-fields: cannot read ${path}: ${error.message}\n`);
	process.exit(2);
}
const problems = releaseFieldProblems(pkg);
if (problems.length > 0) {
	process.stderr.write(
		`Refusing to publish: ${path} still has placeholder release fields. Fill these first:\n` +
			problems.map((problem) => `  - ${problem}\n`).join('') +
			'See docs/releasing.md ("Before the first release").\n',
	);
	process.exit(1);
}
process.stdout.write(
	`check-release-fields: repository, author and homepage are filled (${path})\n`,
);
