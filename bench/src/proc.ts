// Reads a process tree's memory and CPU from /proc (Linux only), as an outside observer: the
// benchmark never runs code inside n8n.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLOCK_TICKS = (() => {
	try {
		return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
	} catch {
		return 100;
	}
})();

interface ProcStat {
	pid: number;
	ppid: number;
	pgrp: number;
	/** user + system CPU time, ms */
	cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined;
	}
	// The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	// fields[0] is field 3 (state): ppid = field 4, pgrp = field 5, utime = 14, stime = 15.
	return {
		pid,
		ppid: Number(fields[1]),
		pgrp: Number(fields[2]),
		cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS,
	};
}

function allPids(): number[] {
	return readdirSync('/proc')
		.filter((name) => /^\d+$/.test(name))
		.map(Number);
}

/** Resident set size in bytes (VmRSS), or 0 when the process is gone. */
export function rssBytes(pid: number): number {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

/** user + system CPU ms of one process (not its children). */
export function cpuMs(pid: number): number {
	return readStat(pid)?.cpuMs ?? 0;
}

export function commandLine(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
	} catch {
		return '';
	}
}

/**
 * The n8n started by n8n-runner's startN8n: it leads its own process group (spawned detached)
 * and is the only process with this N8N_USER_FOLDER in its environment that does.
 */
export function findN8nMainPid(userFolder: string): number {
	const needle = `N8N_USER_FOLDER=${userFolder}\0`;
	for (const pid of allPids()) {
		let environ: string;
		try {
			environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
		} catch {
			continue;
		}
		if (!`${environ}\0`.includes(needle)) continue;
		const stat = readStat(pid);
		if (stat && stat.pgrp === pid) return pid;
	}
	throw new Error(`no n8n process with N8N_USER_FOLDER=${userFolder}`);
}

/** Other processes in the group led by `pgid` (n8n's task runners). */
export function groupMembers(pgid: number): number[] {
	const members: number[] = [];
	for (const pid of allPids()) {
		if (pid === pgid) continue;
		const stat = readStat(pid);
		if (stat?.pgrp === pgid) members.push(pid);
	}
	return members;
}

export interface MemoryPeak {
	/** RSS of the main process when sampling started, bytes */
	mainStart: number;
	mainPeak: number;
	/** Sum of the RSS of the other group members (task runners) at their highest sample */
	othersPeak: number;
	samples: number;
}

/**
 * Samples RSS of a process group every `intervalMs` until stop(). Group members are looked up
 * again every second, since n8n starts its task runner on demand.
 */
export class RssSampler {
	private timer?: NodeJS.Timeout;
	private members: number[] = [];
	private membersAt = 0;
	private peak: MemoryPeak;

	constructor(
		private readonly pgid: number,
		private readonly intervalMs = 50,
	) {
		const start = rssBytes(pgid);
		this.peak = { mainStart: start, mainPeak: start, othersPeak: 0, samples: 0 };
	}

	start(): this {
		this.sample();
		this.timer = setInterval(() => this.sample(), this.intervalMs);
		return this;
	}

	stop(): MemoryPeak {
		if (this.timer) clearInterval(this.timer);
		this.sample();
		return { ...this.peak };
	}

	private sample() {
		const now = Date.now();
		if (now - this.membersAt > 1000) {
			this.members = groupMembers(this.pgid);
			this.membersAt = now;
		}
		this.peak.mainPeak = Math.max(this.peak.mainPeak, rssBytes(this.pgid));
		let others = 0;
		for (const pid of this.members) others += rssBytes(pid);
		this.peak.othersPeak = Math.max(this.peak.othersPeak, others);
		this.peak.samples++;
	}
}
