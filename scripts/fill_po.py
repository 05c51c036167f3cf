"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Developer tool for keeping the French and Russian catalogues in step:
    python scripts/fill_po.py src/hearth/locale/ru/LC_MESSAGES/django.po translations-ru.json
Only single-line msgids with an empty msgstr are filled; existing and fuzzy entries are
kept as they are (review fuzzy ones by hand or with polib).
"""

import json
import re
import sys
from pathlib import Path


def fill(po_path: str, table: dict[str, str]) -> int:
    text = Path(po_path).read_text(encoding="utf-8")
    filled = 0

    def replace(match: re.Match) -> str:
        nonlocal filled
        msgid = match.group(2).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if msgid in table:
            filled += 1
            escaped = table[msgid].replace("\\", "\\\\").replace('"', '\\"')
            return f'{match.group(1)}msgid "{match.group(2)}"\nmsgstr "{escaped}"\n'
        return match.group(0)

    # Fuzzy entries are left alone: their guessed text needs a person (or polib) to review it.
    text = re.sub(r'(^|\n)msgid "(.+)"\nmsgstr ""\n(?!")', replace, text)
    Path(po_path).write_text(text, encoding="utf-8")
    return filled


if __name__ == "__main__":
    print(fill(sys.argv[1], json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))))
