#!/usr/bin/env python3
"""What a W1 apply makes MariaDB do: server counters and the general log, baseline vs retort.

  counters.py [--n 200] [--retort [LABEL=]PATH ...] [--log-dir DIR]

For each side (the baseline script through the `mariadb` client, then each retort binary
given, `upgrade head` with -q), on a fresh database: `SHOW GLOBAL STATUS` before and after
the run, with the general log on; prints per-migration deltas (delta / N) of the counters
that moved, and the requests (round trips) the client sent, from the general log. Counts,
not times: they do not move with the machine's load. Before each snapshot the script waits
for InnoDB's purge to catch up, so one side's background work is not counted for the next;
an empty run (the snapshots alone) is subtracted. Rows starting with `~` are not counters:
wall time and CPU times (mariadbd from /proc, the client from rusage) vary with the load.

Options from the environment:
  MYSQL_SOCKET=PATH  the server (default /run/mysqld/mysqld.sock, as db.sh). The counters are
                     global: nothing else may use the server meanwhile (the general log, in
                     DIR/<side>.log, shows other connections). On a shared server, start a
                     private one with its own data directory and socket (see README.md).
  INNODB_METRICS=1   also compare the enabled counters of information_schema.innodb_metrics
                     (`SET GLOBAL innodb_monitor_enable = 'all'` turns them on: purge, undo,
                     page flushing...)
  SYSCALLS=1         also count mariadbd's fsync/fdatasync/pwrite64/sendto/recvfrom calls
                     (`strace -c -f` attached during the run: exact counts, slower run)
Needs the mariadb client, root over the socket, and the server on this machine.
"""
import argparse
import collections
import os
import re
import resource
import subprocess
import sys
import time

METRICS = os.environ.get("INNODB_METRICS") == "1"
SYSCALLS = os.environ.get("SYSCALLS") == "1"
TRACED = ["fsync", "fdatasync", "pwrite64", "sendto", "recvfrom"]
HERE = os.path.dirname(os.path.abspath(__file__))
SOCKET = os.environ.get("MYSQL_SOCKET", "/run/mysqld/mysqld.sock")
CLI = ["mariadb", f"--socket={SOCKET}", "-u", "root"]

# shown in this order when they moved, then any other counter that moved
MAIN = [
    "Questions", "Com_begin", "Com_commit", "Com_rollback", "Com_insert", "Com_update",
    "Com_delete", "Com_select", "Com_create_table", "Com_alter_table", "Com_create_index",
    "Com_stmt_prepare", "Com_stmt_execute", "Com_stmt_close", "Com_set_option",
    "Handler_commit", "Handler_prepare", "Handler_write", "Handler_update",
    "Handler_read_key", "Innodb_log_writes", "Innodb_os_log_fsyncs", "Innodb_data_fsyncs",
    "Bytes_received", "Bytes_sent",
]
# counters of time, sizes or state, not of work done
SKIP = re.compile(r"^(Uptime|Uptime_since_flush_status|Threads_|Open_|Innodb_buffer_pool_pages_|"
                  r"Innodb_buffer_pool_bytes_|Memory_used|Max_used|Innodb_page_size|"
                  r"Innodb_history_list_length|Innodb_lsn_|Innodb_checkpoint_|Innodb_mem_|"
                  r"Last_query_cost|Innodb_max_trx_id|Innodb_current_row_locks|Rpl_|Slave_|"
                  r"Tc_log_page_size|Innodb_ibuf_|Innodb_buffer_pool_load|Innodb_have_|"
                  r"Innodb_num_open_files|Innodb_os_log_pending|Innodb_data_pending|"
                  r"Innodb_onlineddl_|Resultset_metadata_skipped|Binlog_snapshot|"
                  r"Innodb_buffer_pool_dump|Innodb_async_|Feature_|Innodb_instant_alter|"
                  r"Innodb_buffer_pool_resize)")


def server_pid():
    return open(sql("SELECT @@pid_file").strip()).read().strip()


def server_cpu():
    """mariadbd's user + system CPU time so far, in ms (all its threads)."""
    pid = server_pid()
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")


def sql(text, db=None):
    cmd = CLI + ["-N", "-B", "-e", text] + ([db] if db else [])
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def status():
    out = {}
    for line in sql("SHOW GLOBAL STATUS").splitlines():
        k, _, v = line.partition("\t")
        try:
            out[k] = int(v)
        except ValueError:
            pass
    if METRICS:  # InnoDB's own counters that are enabled (innodb_monitor_enable)
        for line in sql("SELECT name, count FROM information_schema.innodb_metrics "
                        "WHERE enabled AND type IN ('counter', 'status_counter')").splitlines():
            k, _, v = line.partition("\t")
            out["m:" + k] = int(v)
    return out


def settle(limit=30.0):
    """Waits until InnoDB's purge has caught up (history list empty or no longer shrinking),
    so that one side's background work (the DROP DATABASE before it, its own row versions)
    is not counted for another."""
    deadline, last, still = time.monotonic() + limit, None, 0
    while time.monotonic() < deadline:
        n = int(sql("SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'").split()[1])
        still = still + 1 if n == last else 0
        if n == 0 or still >= 5:
            return
        last = n
        time.sleep(0.2)


def measure(name, db, run, log_dir):
    subprocess.run(CLI + ["-e", f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}"], check=True)
    log = os.path.join(log_dir, f"{name}.log")
    if os.path.exists(log):
        os.remove(log)
    sql(f"SET GLOBAL general_log_file = '{log}'")
    sql("SET GLOBAL general_log = 1")
    settle()
    before = status()
    tracer = None
    if SYSCALLS:
        out = os.path.join(log_dir, f"{name}.strace")
        tracer = subprocess.Popen(["strace", "-f", "-c", "-U", "calls,syscall", "-e",
                                   "trace=" + ",".join(TRACED), "-o", out, "-p", server_pid()],
                                  stderr=subprocess.DEVNULL)
        time.sleep(1)  # attached to every thread
    cpu0, kids0, t0 = server_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    run()
    cpu1, kids1, t1 = server_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    syscalls = {}
    if tracer:
        tracer.send_signal(2)
        tracer.wait()
        for line in open(out):
            f = line.split()
            if len(f) == 2 and f[0].isdigit():
                syscalls[f"~syscall {f[1]}"] = int(f[0])
    settle()
    after = status()
    after["~server CPU ms"] = cpu1 - cpu0
    after["~client CPU ms"] = round(1000 * (kids1.ru_utime + kids1.ru_stime - kids0.ru_utime - kids0.ru_stime))
    after["~wall ms"] = round(1000 * (t1 - t0))
    after.update(syscalls)
    sql("SET GLOBAL general_log = 0")
    return {k: after[k] - before.get(k, 0) for k in after}, log


def log_summary(path):
    """Commands per connection (thread id) and per kind, from the general log, and the
    requests (round trips) of the busiest connection, the measured client's."""
    per_thread = collections.Counter()
    kinds = collections.Counter()
    requests = collections.Counter()
    text = open(path, errors="replace").read()
    entry = re.compile(r"^(?:\d{6}\s+[\d:]+\s+)?\s*(\d+)\s+(Connect|Query|Prepare|Execute|Close stmt|"
                       r"Quit|Init DB|Reset stmt|Field List|Ping|Change user|Set option)\t?(.*)$")
    for line in text.splitlines():
        m = entry.match(line)
        if not m:
            continue
        tid, cmd, arg = m.groups()
        per_thread[tid] += 1
        if cmd in ("Query", "Prepare", "Execute", "Init DB", "Reset stmt", "Field List", "Ping",
                   "Change user", "Set option"):  # these wait for an answer; Close stmt, Quit don't
            requests[tid] += 1
        word = arg.strip().split(None, 1)[0].upper() if arg.strip() else ""
        kinds[f"{cmd} {word}".strip()] += 1
    return per_thread, kinds, max(requests.values(), default=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--retort", action="append", default=[], metavar="[LABEL=]PATH")
    ap.add_argument("--log-dir", default="/tmp/retort-counters")
    a = ap.parse_args()
    os.makedirs(a.log_dir, exist_ok=True)
    os.chmod(a.log_dir, 0o777)
    work = os.path.join(a.log_dir, "work")
    wl = os.path.join(work, f"linear-mysql-{a.n}")
    if not os.path.exists(os.path.join(wl, "manifest.json")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_workload.py"), "linear", "--n", str(a.n),
                        "--dialect", "mysql", "--out", wl, "--force"], check=True)
    script = os.path.join(work, f"linear-mysql-{a.n}-up.sql")
    with open(script, "w") as f:
        subprocess.run([sys.executable, os.path.join(HERE, "to_script.py"), wl, "up"], stdout=f, check=True)
    proj = os.path.join(work, f"retort-mysql-{a.n}")
    if not os.path.exists(os.path.join(proj, "retort.toml")):
        subprocess.run([sys.executable, os.path.join(HERE, "to_retort.py"), wl, proj], check=True)

    sides = [("empty", lambda: None)]
    db = "bench_counters"

    def baseline():
        with open(script) as f:
            subprocess.run(CLI + [db], stdin=f, check=True)
    sides.append(("baseline", baseline))
    for spec in a.retort:
        label, _, path = spec.rpartition("=")
        label = label or "retort"

        def run(path=path):
            env = dict(os.environ, BENCH_DB_URL=f"mysql://root@localhost/{db}?socket={SOCKET}")
            subprocess.run([path, "-C", proj, "-q", "upgrade", "head"], env=env, check=True)
        sides.append((label, run))

    results, logs = {}, {}
    # put back at the end
    log_on, log_file = sql("SELECT @@general_log, @@general_log_file").strip().split("\t")
    for name, run in sides:
        results[name], log = measure(name, db, run, a.log_dir)
        logs[name] = log_summary(log)
        # the empty run's busiest connection is a snapshot's own: nothing to subtract
        results[name]["~round trips (client requests)"] = logs[name][2] if name != "empty" else 0
    subprocess.run(CLI + ["-e", f"DROP DATABASE IF EXISTS {db}"], check=True)
    sql(f"SET GLOBAL general_log_file = '{log_file}'")
    sql(f"SET GLOBAL general_log = {int(log_on)}")

    empty = results.pop("empty")
    names = list(results)
    moved = [k for k in MAIN if any(results[s].get(k, 0) - empty.get(k, 0) for s in names)]
    moved += ["~round trips (client requests)"] + [f"~syscall {c}" for c in TRACED if SYSCALLS]
    moved += ["~wall ms", "~server CPU ms", "~client CPU ms"]
    # (the three times are not counts: they move with the machine's load and the disk)
    moved += sorted(k for k in results[names[0]] if k not in MAIN and not k.startswith("~") and not SKIP.match(k)
                    and any(results[s].get(k, 0) - empty.get(k, 0) for s in names))
    n = a.n
    print(f"N = {n}: per migration = (run delta - empty-run delta) / N; total delta in brackets\n")
    print("| counter | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for k in moved:
        cells = []
        for s in names:
            d = results[s].get(k, 0) - empty.get(k, 0)
            cells.append(f"{d / n:.2f} ({d})")
        print(f"| {k} | " + " | ".join(cells) + " |")
    print()
    for s in names:
        threads, kinds, _ = logs[s]
        print(f"general log, {s}: {sum(threads.values())} entries on {len(threads)} connections "
              f"(the snapshots' own connections included)")
        for kind, c in kinds.most_common():
            print(f"  {c:6d}  {c / n:6.2f}/migration  {kind}")


if __name__ == "__main__":
    main()
