import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export interface Machine {
	cpuModel: string;
	cores: number;
	memoryGiB: number;
	os: string;
	benchNode: string;
	n8nNode: string;
	n8nVersion: string;
}

export function describeMachine(n8nNodeBin: string, n8nVersion: string): Machine {
	let cpuModel = cpus()[0]?.model?.trim() ?? 'unknown';
	try {
		const match = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
		if (match) cpuModel = match[1].trim();
	} catch {
		// keep os.cpus()
	}
	let n8nNode = 'unknown';
	try {
		n8nNode = execFileSync(n8nNodeBin, ['--version'], { encoding: 'utf8' }).trim();
	} catch {
		// keep unknown
	}
	let os = `Linux ${release()}`;
	try {
		const match = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'));
		if (match) os = `${match[1]}, kernel ${release()}`;
	} catch {
		// keep the kernel only
	}
	return {
		cpuModel,
		cores: cpus().length,
		memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
		os,
		benchNode: process.version,
		n8nNode,
		n8nVersion,
	};
}
