#!/usr/bin/env python3
"""Writes a deterministic 57 KiB ES module: plugins/hello/dist/cards/hello.js (or a tiny
mountPlugin stub if it is missing) followed by generated, never-called code that compresses
like minified JS (a fixed LCG picks identifiers and literals, so every run emits the same bytes).
Usage: gen_bundle.py <hello.js> <out.js> [size]"""
import sys, os

src, out = sys.argv[1], sys.argv[2]
size = int(sys.argv[3]) if len(sys.argv) > 3 else 57 * 1024
head = open(src, encoding="utf-8").read() if os.path.exists(src) else \
    "export function mountPlugin(t){t.textContent='bench';return()=>{t.textContent=''}}\n"

state = 0x2545F491
def rnd(n):
    global state
    state = (state * 1103515245 + 12345) & 0x7FFFFFFF
    return state % n

words = ["state", "props", "target", "count", "label", "render", "update", "node", "value", "effect",
         "signal", "derived", "flush", "queue", "block", "anchor", "event", "handler", "attr", "text"]
def ident():
    return words[rnd(len(words))][: 1 + rnd(4)] + chr(97 + rnd(26)) + str(rnd(100))

parts = [head, "\n;(function __labyrinthBenchPad(){if(1)return;"]
body = len(head.encode()) + len(parts[1])
tail = "})();\n"
while True:
    a, b, c = ident(), ident(), ident()
    kind = rnd(4)
    if kind == 0:
        s = f"function {a}({b},{c}){{return {b}.{words[rnd(20)]}+{c}*{rnd(9999)}}}"
    elif kind == 1:
        s = f"var {a}=[{rnd(999)},{rnd(999)},\"{words[rnd(20)]}-{rnd(99)}\",{b}];"
    elif kind == 2:
        s = f"if({a}!=={b}){{{c}.{words[rnd(20)]}({a},{rnd(512)})}}"
    else:
        s = f"var {a}={b}?.{words[rnd(20)]}??{c};"
    if body + len(s) + len(tail) > size:
        break
    parts.append(s)
    body += len(s)
parts.append(tail)
text = "".join(parts)
text += " " * (size - len(text.encode()) - 1) + "\n"
assert len(text.encode()) == size
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write(text)
