#!/usr/bin/python3
"""Checks that every lesson in docs/tutorials quotes its files exactly: each fenced block whose info
string names a file (```cpp file=model.cpp) must equal that file of the lesson's folder, which the
tests build and run. Exits 1 naming every block that differs or names a missing file.

    /usr/bin/python3 check_lessons.py docs/tutorials
"""
import pathlib
import re
import sys

BLOCK = re.compile(r"^```\w+ file=(?P<file>\S+)\n(?P<body>.*?)^```$", re.M | re.S)


def main(root):
    problems, checked = [], 0
    lessons = sorted(p for p in root.iterdir() if (p / "README.md").is_file())
    if not lessons:
        problems.append(f"{root}: no lesson folders with a README.md")
    for lesson in lessons:
        text = (lesson / "README.md").read_text()
        for block in BLOCK.finditer(text):
            path = lesson / block["file"]
            checked += 1
            if not path.is_file():
                problems.append(f"{lesson.name}/README.md quotes {block['file']}, which is not in the lesson's folder")
            elif path.read_text() != block["body"]:
                problems.append(f"{lesson.name}/README.md quotes {block['file']} differently from the file")
    for problem in problems:
        print(f"check_lessons: {problem}", file=sys.stderr)
    print(f"check_lessons: {len(lessons)} lessons, {checked} quoted files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
