# Runs a program on a pseudo-terminal and plays a script of keys to it, as a person would:
#   python3 on_a_terminal.py STEPS_JSON PROGRAM ARGS...
# STEPS_JSON is a list of [text to wait for, keys to send]; the keys "<hang up>" close the
# terminal instead, as when a window or a connection is closed. Prints everything the program wrote
# and exits with its exit code; gives up after ten seconds of waiting for any one text, and ends
# a program still waiting for input ten seconds after the last keys.
import json, os, pty, select, sys, time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
seen = b""
done = 0
hung_up = False

def read(timeout):
    global seen
    if hung_up:
        time.sleep(timeout)
        return False
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    if not chunk:
        return False
    seen += chunk
    return True

for wait, keys in steps:
    deadline = time.time() + 10
    while wait.encode() not in seen[done:]:
        if time.time() > deadline or not read(0.1):
            sys.stdout.write(seen.decode(errors="replace"))
            sys.exit(f"gave up waiting for {wait!r}")
    done = seen.index(wait.encode(), done) + len(wait)
    # Keys go once the program has stopped writing (a tenth of a second, two at most): a
    # hidden prompt discards what was typed before it turned echo off.
    quiet = time.time() + 2
    while not hung_up and time.time() < quiet and select.select([fd], [], [], 0.1)[0]:
        if not read(0):
            break
    if keys == "<hang up>":
        os.close(fd)
        hung_up = True
        break
    os.write(fd, keys.encode())
deadline = time.time() + 10
while time.time() < deadline:
    done_pid, status = os.waitpid(pid, os.WNOHANG)
    if done_pid:
        break
    read(0.1)
else:
    # Still waiting for keys nobody will type: end it, and say so.
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace"))
    sys.exit("the program was still waiting for input")
drain = time.time() + 2
while time.time() < drain and read(0.05):
    pass
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
