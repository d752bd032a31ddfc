#!/usr/bin/python3
"""Checks that the lessons in docs/tutorials say what is true:

- each fenced block whose info string names a file (```cpp file=model.cpp) must equal that file of
  the lesson's folder, which the tests build and run;
- each block that quotes a program's output (```text output-of=PROGRAM ARGS...) must be found in
  what PROGRAM prints (standard output and error) when run with ARGS: every line of the block,
  except "..." lines that stand for what the lesson leaves out, must be part of a line of the
  output, in the same order. --program NAME=PATH says where each program is.

Exits 1 naming every block that differs.

    /usr/bin/python3 check_lessons.py docs/tutorials [--program loomc-running_sign=build/.../loomc-running_sign ...]
"""
import argparse
import pathlib
import re
import shlex
import subprocess
import sys

FILE_BLOCK = re.compile(r"^```\w+ file=(?P<file>\S+)\n(?P<body>.*?)^```$", re.M | re.S)
OUTPUT_BLOCK = re.compile(r"^```text output-of=(?P<command>[^\n]+)\n(?P<body>.*?)^```$", re.M | re.S)


def missing_quote(body, output):
    """The first line of `body` not found, in order, in `output`; None when all are."""
    lines = output.splitlines()
    position = 0
    for wanted in body.splitlines():
        wanted = wanted.strip()
        if not wanted or wanted == "...":
            continue
        while position < len(lines) and wanted not in lines[position]:
            position += 1
        if position == len(lines):
            return wanted
        position += 1
    return None


def check_outputs(lesson, text, programs, problems):
    checked = 0
    for block in OUTPUT_BLOCK.finditer(text):
        checked += 1
        name, *arguments = shlex.split(block["command"])
        if name not in programs:
            problems.append(f"{lesson.name}/README.md quotes the output of {name}; give its path with --program {name}=PATH")
            continue
        run = subprocess.run([programs[name], *arguments], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = missing_quote(block["body"], run.stdout)
        if run.returncode != 0:
            problems.append(f"{lesson.name}/README.md: `{block['command']}` exited with {run.returncode}")
        elif line is not None:
            problems.append(f"{lesson.name}/README.md quotes `{block['command']}` with a line it does not print "
                            f"(in that order): {line}")
    return checked


def main(argv=None):
    parser = argparse.ArgumentParser(description="Checks the files and outputs the lessons quote.")
    parser.add_argument("root", type=pathlib.Path)
    parser.add_argument("--program", action="append", default=[], metavar="NAME=PATH")
    args = parser.parse_args(argv)
    programs = dict(p.split("=", 1) for p in args.program)

    problems, files, outputs = [], 0, 0
    lessons = sorted(p for p in args.root.iterdir() if (p / "README.md").is_file())
    if not lessons:
        problems.append(f"{args.root}: no lesson folders with a README.md")
    for lesson in lessons:
        text = (lesson / "README.md").read_text()
        for block in FILE_BLOCK.finditer(text):
            path = lesson / block["file"]
            files += 1
            if not path.is_file():
                problems.append(f"{lesson.name}/README.md quotes {block['file']}, which is not in the lesson's folder")
            elif path.read_text() != block["body"]:
                problems.append(f"{lesson.name}/README.md quotes {block['file']} differently from the file")
        outputs += check_outputs(lesson, text, programs, problems)
    for problem in problems:
        print(f"check_lessons: {problem}", file=sys.stderr)
    print(f"check_lessons: {len(lessons)} lessons, {files} quoted files, {outputs} quoted outputs, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
