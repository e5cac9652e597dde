/**
 * The process table as Linux's /proc shows it: who listens on a port, a process's parent,
 * children and command line, and its resident memory. For benches that watch the stack's
 * processes from outside (bench/soak.ts), whether this script started them or not.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process has gone, or is not ours to read
  }
};

const pids = (): number[] => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

/** The command line, arguments joined by spaces ('' once the process has gone). */
export const commandLine = (pid: number): string => (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ').trim();

/** The executable's short name (what `ps -o comm` shows). */
export const processName = (pid: number): string => (read(`/proc/${pid}/comm`) ?? '').trim();

/** The parent's pid, or undefined once the process has gone. */
export function parentOf(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  // The name may hold spaces and parentheses: the fields after it start past the last ')'.
  return stat === undefined ? undefined : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

export const childrenOf = (pid: number): number[] => pids().filter((candidate) => parentOf(candidate) === pid);

/** Every process below `pid`, children first. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const children = childrenOf(queue.shift()!);
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/** `pid` and its ancestors, nearest first. */
export function ancestorsOf(pid: number): number[] {
  const chain = [pid];
  for (let parent = parentOf(pid); parent !== undefined && parent > 1; parent = parentOf(parent)) chain.push(parent);
  return chain;
}

/** Resident set size in bytes (VmRSS), or undefined once the process has gone. */
export function rssBytes(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : undefined;
}

/** The socket inodes listening on a TCP port (any address, IPv4 or IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table) ?? '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A') inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** The processes holding a socket that listens on `port` (readable ones only: ours). */
export function listenersOf(port: number): number[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  return pids().filter((pid) => {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      return false;
    }
    return fds.some((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        return target.startsWith('socket:[') && inodes.has(target.slice(8, -1));
      } catch {
        return false;
      }
    });
  });
}
