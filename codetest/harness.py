# Ascent's code-test harness: runs inside the sandbox as /work/harness.py next to the solution
# /work/solution.py. Exit 97 means the solution does not compile. In the asserts and call modes,
# stdin is {"nonce": ..., "cases": ...}, read before the solution runs, and each result is one line
# "<nonce> {"ok": true, "value": ...}" or "<nonce> {"ok": false, "error": "..."}", so the
# solution's own prints cannot pass for results. (It runs in the same interpreter: a program that
# walks its caller's frames could still find the nonce — the trust model of the APPS and PRIME
# checkers too.)
import json, sys

src = open("/work/solution.py", encoding="utf-8").read()
try:
    code = compile(src, "solution.py", "exec")
except (SyntaxError, ValueError) as e:
    sys.stderr.write("compile error: %s\n" % e)
    sys.exit(97)

mode = sys.argv[1]
if mode == "stdio":
    sys.argv = ["solution.py"]
    exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
    sys.exit(0)

req = json.load(sys.stdin)
nonce, cases = req["nonce"], req["cases"]
del req
out = sys.stdout

def reply(obj):
    out.write(nonce + " " + json.dumps(obj) + "\n")
    out.flush()

g = {"__name__": "solution", "__builtins__": __builtins__}
if mode == "asserts":
    exec(code, g)
    for t in cases:
        try:
            exec(t, g)
            reply({"ok": True})
        except BaseException as e:  # AssertionError or anything else: a failed test
            reply({"ok": False, "error": type(e).__name__ + ": " + str(e)[:200]})
    sys.exit(0)

if mode == "call":
    fn_name = sys.argv[2]
    exec(code, g)
    fn = g.get(fn_name)
    if fn is None and "Solution" in g:
        fn = getattr(g["Solution"](), fn_name, None)
    if fn is None:
        sys.stderr.write("solution defines no function %r\n" % fn_name)
        sys.exit(98)
    args = cases
    if not isinstance(args, list):
        args = [args]
    try:
        value = fn(*args)
    except BaseException as e:
        reply({"ok": False, "error": type(e).__name__ + ": " + str(e)[:200]})
        sys.exit(0)
    def plain(v):
        if isinstance(v, tuple):
            return [plain(x) for x in v]
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        return v
    try:
        reply({"ok": True, "value": plain(value)})
    except (TypeError, ValueError):
        reply({"ok": True, "value": repr(value)})
    sys.exit(0)

sys.stderr.write("unknown harness mode %r\n" % mode)
sys.exit(99)
