# Ascent's code-test harness. It runs inside the sandbox as /work/harness.py next to the solution
# /work/solution.py, compiles the solution once (exit 97 when it does not compile), then runs each
# test case in a forked child (its own process group, stdin/stdout/stderr redirected to files in
# /tmp, a wall-clock and CPU limit per case), so one case's hang or crash costs only that case.
#
# stdin: {"nonce", "mode": "stdio"|"call"|"asserts", "fn_name", "cases", "timeout_s", "out_limits"},
# read before the solution runs. Each case's result is one stdout line "<nonce> {json}" with
# "status": "ok" | "exit" | "signal" | "timeout" | "error", plus "code", "signal", "stdout" (stdio,
# cut at the case's out_limit), "value" (call), "error" (the exception or stderr tail). The solution
# cannot read the nonce from stdin; it runs in a child of this interpreter, so a program that walks
# its caller's memory could still find it (the trust model of the APPS and PRIME checkers too).
import json, os, resource, signal, sys, time, traceback

src = open("/work/solution.py", encoding="utf-8").read()
try:
    code = compile(src, "solution.py", "exec")
except (SyntaxError, ValueError) as e:
    sys.stderr.write("compile error: %s\n" % e)
    sys.exit(97)

req = json.load(sys.stdin)
nonce, mode, cases = req["nonce"], req["mode"], req["cases"]
fn_name, timeout_s = req.get("fn_name", ""), float(req["timeout_s"])
out_limits = req.get("out_limits") or [65536] * len(cases)
del req
out = sys.stdout


def reply(obj):
    out.write(nonce + " " + json.dumps(obj) + "\n")
    out.flush()


def plain(v):
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return v


def child(i, case):
    """Runs case i in this forked process and exits; never returns."""
    os.setpgid(0, 0)
    cpu = max(1, int(timeout_s + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    fin = os.open("/tmp/in%d" % i, os.O_RDONLY)
    fout = os.open("/tmp/out%d" % i, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    ferr = os.open("/tmp/err%d" % i, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fin, 0)
    os.dup2(fout, 1)
    os.dup2(ferr, 2)
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    status = 0
    result = None
    try:
        if mode == "stdio":
            sys.argv = ["solution.py"]
            exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
        else:
            g = {"__name__": "solution", "__builtins__": __builtins__}
            exec(code, g)
            if mode == "asserts":
                exec(case, g)
                result = {"status": "ok"}
            else:
                fn = g.get(fn_name)
                if fn is None and "Solution" in g:
                    fn = getattr(g["Solution"](), fn_name, None)
                if fn is None:
                    raise NameError("solution defines no function %r" % fn_name)
                args = case if isinstance(case, list) else [case]
                result = {"status": "ok", "value": plain(fn(*args))}
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:
        traceback.print_exc()
        result = {"status": "error", "error": type(e).__name__ + ": " + str(e)[:200]}
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        if result is not None:
            try:
                data = json.dumps(result)
            except (TypeError, ValueError):
                data = json.dumps({"status": "ok", "value": repr(result.get("value"))})
            with open("/tmp/res%d" % i, "w") as f:
                f.write(data)
    finally:
        os._exit(status if 0 <= status < 256 else 1)


def tail(path, n=300):
    try:
        with open(path, "rb") as f:
            data = f.read()
        return data[-n:].decode("utf-8", "replace")
    except OSError:
        return ""


for i, case in enumerate(cases):
    with open("/tmp/in%d" % i, "w") as f:
        f.write(case if mode == "stdio" else "")
    pid = os.fork()
    if pid == 0:
        child(i, case)
    deadline = time.monotonic() + timeout_s
    timed_out = False
    while True:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            timed_out = True
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        time.sleep(0.002)
    try:
        os.killpg(pid, signal.SIGKILL)  # whatever the case left running
    except OSError:
        pass
    r = {}
    if timed_out:
        r = {"status": "timeout"}
    elif os.WIFSIGNALED(st):
        sig = os.WTERMSIG(st)
        r = {"status": "timeout" if sig == signal.SIGXCPU else "signal", "signal": sig}
    else:
        code_ = os.WEXITSTATUS(st)
        try:
            with open("/tmp/res%d" % i) as f:
                r = json.load(f)
        except (OSError, ValueError):
            r = {"status": "ok" if code_ == 0 else "exit"}
        r["code"] = code_
        if r["status"] == "ok" and mode != "stdio" and code_ != 0:
            r["status"] = "exit"
    if mode == "stdio" and r["status"] == "ok":
        with open("/tmp/out%d" % i, "rb") as f:
            r["stdout"] = f.read(out_limits[i]).decode("utf-8", "replace")
    if r["status"] != "ok" and "error" not in r:
        r["error"] = tail("/tmp/err%d" % i)
    reply(r)
    for name in ("in", "out", "err", "res"):
        try:
            os.remove("/tmp/%s%d" % (name, i))
        except OSError:
            pass
sys.exit(0)
