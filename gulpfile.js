const { src, dest } = require('gulp');

// tsc emits only JavaScript; n8n loads the node's icons and codex from next to the .js files.
function copyAssets() {
	return src(['nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = copyAssets;
