"""Starts a server command, times process start -> first 200 from /healthz, then reads its idle RSS.

usage: measure.py <port> <idle-seconds> <cwd> <env-json> <command...>
Prints one JSON object: {"healthz_ms", "cpu_ms", "idle_rss_mib", "peak_rss_mib", "exit"}. cpu_ms is the CPU
time (user + system, all threads) the server had used when its first 200 arrived: on a shared machine
wall time grows with the load average, CPU time much less, so it is the figure to compare builds by.
The server is stopped with SIGTERM (graceful) and the time that takes is reported as stop_ms.
With "BENCH_SETUP_ADMIN": "1" in <env-json>, once /healthz answers the first-run setup link is read
from the server's log and an admin is created through /api/setup (the server must log the
Labyrinth.Setup category at Information): the next start on that data directory is then the restart
of an instance in use, which has no setup link to make and print. "setup" in the output says whether
it was done.
"""
import http.client, json, os, re, signal, subprocess, sys, time

port, idle, cwd, env_json = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
cmd = sys.argv[5:]
env = dict(os.environ); env.update(json.loads(env_json))
setup_admin = env.pop("BENCH_SETUP_ADMIN", "") == "1"
log_path = os.path.join(os.environ.get("START_LOG_DIR", "/tmp"), f"start-{port}-{int(time.time()*1000)}.log")
log = open(log_path, "wb")
t0 = time.monotonic()
p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
def cpu_ms():
    try:
        with open(f"/proc/{p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None

healthz = cpu = None
deadline = t0 + 120
while time.monotonic() < deadline and p.poll() is None:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", "/healthz")
        r = c.getresponse(); r.read(); c.close()
        if r.status == 200:
            healthz = (time.monotonic() - t0) * 1000
            cpu = cpu_ms()
            break
    except OSError:
        pass
    time.sleep(0.005)

def rss(field):
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None

def create_admin():
    """The setup link's token from the log, then POST /api/setup; True when the admin exists."""
    end = time.monotonic() + 30
    while time.monotonic() < end:
        m = re.search(rb"setup[?#]token=([A-Za-z0-9_-]+)", open(log_path, "rb").read())
        if m:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            body = json.dumps({"token": m.group(1).decode(), "userName": "admin", "password": "bench-password-123"})
            c.request("POST", "/api/setup", body, {"Content-Type": "application/json", "X-Labyrinth-Request": "1"})
            r = c.getresponse(); r.read(); c.close()
            return 200 <= r.status < 300
        time.sleep(0.1)
    return False

setup = create_admin() if setup_admin and healthz is not None else None

idle_rss = peak = None
if healthz is not None:
    time.sleep(idle)
    idle_rss, peak = rss("VmRSS:"), rss("VmHWM:")
if p.poll() is not None:
    # The server is gone already (e.g. its port was taken): whatever answered was another process.
    sys.stderr.write(f"measure.py: the server exited with {p.returncode} before it was stopped; see {log_path}\n")
    healthz = cpu = idle_rss = peak = None
t1 = time.monotonic()
p.send_signal(signal.SIGTERM)
try:
    code = p.wait(timeout=120)
except subprocess.TimeoutExpired:
    p.kill(); code = p.wait()
print(json.dumps({"healthz_ms": None if healthz is None else round(healthz, 1), "cpu_ms": cpu,
                  "idle_rss_mib": None if idle_rss is None else round(idle_rss, 1),
                  "peak_rss_mib": None if peak is None else round(peak, 1),
                  "stop_ms": round((time.monotonic() - t1) * 1000, 1), "exit": code, "setup": setup}))
